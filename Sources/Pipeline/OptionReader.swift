import Tabular
import Transport

/// Reads a checked options table (converted from Lua): an unknown key is an error naming the
/// function, the key and the nearest known one; typed readers name the key and the type wanted.
public struct OptionReader {
    public let values: [String: JSONValue]
    public let function: String

    /// Checks `values`' keys against `known`.
    public init(_ values: [String: JSONValue], function: String, known: Set<String>) throws {
        try Self.check(values.keys, known: known, function: function)
        self.values = values
        self.function = function
    }

    /// Throws a usage error for the first key (in name order) not in `known`.
    public static func check(_ keys: some Sequence<String>, known: Set<String>, function: String, what: String = "option") throws {
        for key in keys.sorted() where !known.contains(key) {
            let hint = nearestName(to: key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw JobError(.usage, stage: "options", "\(function): unknown \(what) '\(key)'\(hint); known: \(known.sorted().joined(separator: ", "))")
        }
    }

    public subscript(key: String) -> JSONValue? { values[key].flatMap { $0 == .null ? nil : $0 } }

    private func wrong(_ key: String, _ wanted: String) -> JobError {
        JobError(.usage, stage: "options", "\(function): option '\(key)' must be \(wanted), not \(values[key] ?? .null)")
    }

    /// A string (an integer is taken as its digits); nil when absent.
    public func string(_ key: String) throws -> String? {
        switch self[key] {
        case nil: return nil
        case .string(let s)?: return s
        case .integer(let i)?: return String(i)
        default: throw wrong(key, "a string")
        }
    }

    public func bool(_ key: String) throws -> Bool? {
        switch self[key] {
        case nil: return nil
        case .bool(let b)?: return b
        default: throw wrong(key, "true or false")
        }
    }

    public func number(_ key: String) throws -> Double? {
        guard let value = self[key] else { return nil }
        guard let d = value.doubleValue else { throw wrong(key, "a number") }
        return d
    }

    /// A `{ [name] = string }` table; nil when absent.
    public func stringMap(_ key: String) throws -> [String: String]? {
        guard let value = self[key] else { return nil }
        guard case .object(let m) = value else { throw wrong(key, "a table { name = column }") }
        var out: [String: String] = [:]
        for (k, v) in m {
            guard let s = v.stringValue else { throw wrong(key, "a table of strings") }
            out[k] = s
        }
        return out
    }
}
