import LuaRuntime
import Pipeline
import Transport

/// Reading the options table of a low-level client call: every key checked, typed readers.
struct OptionTable {
    let table: LuaTable
    let function: String

    /// The options table at `index` (an empty one when absent); keys outside `known` are an error.
    init(_ s: LuaStack, at index: Int32, function: String, known: Set<String>) throws {
        self.function = function
        switch s.type(at: index) {
        case .none, .nil: table = LuaTable()
        case .table:
            guard case .table(let t) = try s.value(at: index) else { table = LuaTable(); return }
            table = t
        default: throw s.argumentError(index, function: function, expected: "table")
        }
        for key in table.fields.keys {
            guard let name = key.stringValue, known.contains(name) else {
                let text = key.stringValue ?? "\(key)"
                let hint = nearestName(to: text, in: known).map { " (did you mean '\($0)'?)" } ?? ""
                throw RosterScriptError("\(function): unknown option '\(text)'\(hint); known: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    subscript(key: String) -> LuaValue { table[key] }

    /// Option `key` as a string (numbers are accepted as their text); nil when absent.
    func string(_ key: String) throws -> String? {
        switch table[key] {
        case .nil: return nil
        case .string(let v): return v
        case .integer(let v): return String(v)
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a string, got \(Self.typeName(other))")
        }
    }

    /// Option `key` as a boolean; nil when absent.
    func bool(_ key: String) throws -> Bool? {
        switch table[key] {
        case .nil: return nil
        case .boolean(let v): return v
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a boolean, got \(Self.typeName(other))")
        }
    }

    /// Option `key` as a number; nil when absent.
    func number(_ key: String) throws -> Double? {
        switch table[key] {
        case .nil: return nil
        case .integer(let v): return Double(v)
        case .number(let v): return v
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a number, got \(Self.typeName(other))")
        }
    }

    /// Option `key` as a `{ [string] = string }` map; nil when absent.
    func stringMap(_ key: String) throws -> [String: String]? {
        switch table[key] {
        case .nil: return nil
        case .table(let m):
            var out: [String: String] = [:]
            for (k, v) in m.fields {
                guard let name = k.stringValue, let value = v.stringValue else {
                    throw RosterScriptError("\(function): option '\(key)' must map names to column names (strings)")
                }
                out[name] = value
            }
            return out
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a table, got \(Self.typeName(other))")
        }
    }

    static func typeName(_ v: LuaValue) -> String {
        switch v {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string, .bytes: return "string"
        case .table: return "table"
        case .opaque(let name): return name
        }
    }
}
