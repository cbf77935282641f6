import Foundation

/// What an armed fault does to a matching request.
public enum FaultKind: Sendable, Equatable {
    /// Wait this long, then serve the request normally.
    case delay(milliseconds: Int)
    /// Close the connection without answering (a dropped response).
    case drop
    /// Any status in the vendor's error shape, with `Retry-After` as given (seconds or an HTTP date).
    case status(Int, retryAfter: String?)
    /// Handle the request (an upload stored, an import created), then close without answering: the answer is lost.
    case dropAfterHandling
}

/// A fault for the next `count` requests whose path starts with `pathPrefix` (and method, if given).
public struct FaultRule: Sendable, Equatable {
    /// HTTP method to match (`nil` = any) and the path prefix.
    public var method: String?
    public var pathPrefix: String
    /// What to do, and for how many more matching requests.
    public var kind: FaultKind
    public var count: Int
    /// The share (0...1] of matching requests that get the fault; the rest pass untouched and keep `count`.
    public var rate: Double

    /// `pathPrefix` is the request path as served, e.g. `/omnigage/api/v1/uploads`.
    public init(method: String? = nil, pathPrefix: String, kind: FaultKind, count: Int = 1, rate: Double = 1) {
        self.method = method?.uppercased()
        self.pathPrefix = pathPrefix
        self.kind = kind
        self.count = count
        self.rate = min(max(rate, 0), 1)
    }
}

/// Holds armed faults and hands each one out `count` times.
actor FaultInjector {
    private var rules: [FaultRule]
    private(set) var injected = 0

    init(rules: [FaultRule]) { self.rules = rules.filter { $0.count > 0 } }

    func arm(_ rule: FaultRule) {
        if rule.count > 0 { rules.append(rule) }
    }

    func clear() { rules.removeAll() }

    func armed() -> [FaultRule] { rules }

    /// The fault for this request, consuming one use of the first matching rule.
    func take(method: String, path: String) -> FaultKind? {
        guard let index = rules.firstIndex(where: { rule in
            (rule.method == nil || rule.method == method.uppercased()) && path.hasPrefix(rule.pathPrefix)
        }) else { return nil }
        if rules[index].rate < 1, Double.random(in: 0 ..< 1) >= rules[index].rate { return nil }
        let kind = rules[index].kind
        rules[index].count -= 1
        if rules[index].count <= 0 { rules.remove(at: index) }
        injected += 1
        return kind
    }

    /// Reads a rule from the admin endpoint's JSON:
    /// `{"path": "/omnigage/api/v1/uploads", "method": "POST", "kind": "429"|"500"|"502"|"503"|"504"|"delay"|"drop"|"drop-after",
    /// "count": 2, "rate": 0.1, "retryAfter": 1 | "Wed, 21 Oct 2026 07:28:00 GMT" | null, "delayMs": 200}`.
    /// Without `retryAfter`, 429 and 503 say 1 second; `null` sends none.
    static func rule(from json: JSONValue) -> FaultRule? {
        guard let path = json["path"]?.stringValue, path.hasPrefix("/"), let kindName = json["kind"]?.stringValue else { return nil }
        var retryAfter: String?
        switch json["retryAfter"] {
        case nil: retryAfter = ["429", "503"].contains(kindName) ? "1" : nil
        case .some(.null): retryAfter = nil
        case let .some(value): retryAfter = value.stringValue ?? value.intValue.map(String.init)
        }
        let kind: FaultKind
        switch kindName.lowercased() {
        case "429", "500", "502", "503", "504":
            kind = .status(Int(kindName) ?? 500, retryAfter: retryAfter)
        case "delay": kind = .delay(milliseconds: json["delayMs"]?.intValue ?? 1000)
        case "drop": kind = .drop
        case "drop-after": kind = .dropAfterHandling
        default: return nil
        }
        var rate = 1.0
        if case let .some(.number(value)) = json["rate"] { rate = value }
        return FaultRule(method: json["method"]?.stringValue, pathPrefix: path, kind: kind, count: json["count"]?.intValue ?? 1, rate: rate)
    }
}
