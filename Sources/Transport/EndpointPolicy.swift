import Foundation

/// Decides which URLs a request may go to: https anywhere, plain http only to loopback.
public enum EndpointPolicy {
    /// Checks `url` before any connection is made; throws ``TransportError/insecureURL(_:)`` or
    /// ``TransportError/invalidURL(_:)``.
    public static func check(_ url: String) throws(TransportError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              let host = parsed.host, !host.isEmpty
        else {
            throw .invalidURL(Redactor.standard.redact(url: url))
        }
        switch scheme {
        case "https":
            return
        case "http":
            if isLoopback(host: host) { return }
            throw .insecureURL(Redactor.standard.redact(url: url))
        default:
            throw .invalidURL(Redactor.standard.redact(url: url))
        }
    }

    /// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or ::1.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        let values = octets.compactMap { part -> Int? in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber) else { return nil }
            return Int(part)
        }
        return values.count == 4 && values[0] == 127 && values.allSatisfy { $0 <= 255 }
    }

    /// `scheme://host:port` of a URL, lower-cased, used to decide whether two URLs share an origin.
    public static func origin(of url: String) -> String? {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              let host = parsed.host?.lowercased()
        else { return nil }
        let port = parsed.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }
}
