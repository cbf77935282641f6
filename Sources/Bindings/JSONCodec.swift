import LuaJSON
import LuaRuntime
import Pipeline
import Transport

/// The one converter between Swift's `JSONValue` and Lua values, with one null rule:
/// JSON null is `roster.json.null` everywhere (records, results, hook arguments, options).
final class JSONCodec {
    /// The `roster.json` library (text codec, null sentinel, array marker).
    let json: LuaJSON

    init(state: LuaState) throws {
        json = try LuaJSON(state: state)
    }

    var null: LuaRef { json.null }

    func define(on stack: LuaStack) { json.define(on: stack) }

    /// Pushes `value`: objects become tables with their keys, arrays become tables marked as arrays,
    /// `null` (in objects and arrays alike) becomes `roster.json.null`.
    func push(_ value: JSONValue, on s: LuaStack, depth: Int = 0) throws {
        guard depth < 200 else { throw RosterScriptError("value nested more than 200 deep") }
        try s.reserve(4)
        switch value {
        case .null: json.null.push(on: s)
        case .bool(let b): s.push(b)
        case .integer(let i): s.push(i)
        case .double(let d): s.push(d)
        case .string(let t): s.push(t)
        case .array(let items):
            s.newTable(arrayCapacity: items.count)
            for (i, item) in items.enumerated() {
                try push(item, on: s, depth: depth + 1)
                s.setIndex(i + 1, in: -2)
            }
            json.arrayMeta.push(on: s)
            try s.setMetatable(of: -2)
        case .object(let members):
            s.newTable(fieldCapacity: members.count)
            for (key, member) in members {
                try push(member, on: s, depth: depth + 1)
                s.setField(key, in: -2)
            }
        }
    }

    /// The Lua value at `index` as JSON: `nil` and `roster.json.null` are null; a table is an array
    /// when marked so or when its keys are exactly 1...n (n > 0), an object otherwise (string keys only).
    /// Functions and userdata are refused with `what` (e.g. "option 'hooks'") named.
    func value(at index: Int32, on s: LuaStack, what: String, depth: Int = 0) throws -> JSONValue {
        guard depth < 200 else { throw RosterScriptError("\(what) is nested more than 200 deep") }
        let i = s.absolute(index)
        switch s.type(at: i) {
        case .nil, .none: return .null
        case .boolean: return .bool(s.boolean(at: i))
        case .number:
            if s.isInteger(at: i), let n = s.integer(at: i) { return .integer(n) }
            return .double(s.number(at: i) ?? 0)
        case .string: return .string(s.string(at: i) ?? "")
        case .table:
            if json.isNull(s, at: i) { return .null }
            try s.reserve(6)
            let length = s.rawLength(at: i)
            var count = 0
            var allIndexed = true
            s.pushNil()
            while s.next(i) {
                s.pop()
                count += 1
                if !(s.isInteger(at: -1) && (s.integer(at: -1).map { $0 >= 1 && $0 <= Int64(length) } ?? false)) { allIndexed = false }
            }
            if json.isMarkedArray(s, at: i) || (count > 0 && allIndexed && count == length) {
                var items: [JSONValue] = []
                items.reserveCapacity(length)
                for n in 0 ..< length {
                    s.rawGet(index: n + 1, in: i)
                    defer { s.pop() }
                    items.append(try value(at: -1, on: s, what: "\(what)[\(n + 1)]", depth: depth + 1))
                }
                return .array(items)
            }
            var members: [String: JSONValue] = [:]
            s.pushNil()
            while s.next(i) {
                guard s.type(at: -2) == .string, let key = s.string(at: -2) else {
                    let kind = s.type(at: -2).name
                    s.pop(2)
                    throw RosterScriptError("\(what) has a \(kind) key: use string keys")
                }
                members[key] = try value(at: -1, on: s, what: "\(what).\(key)", depth: depth + 1)
                s.pop()
            }
            return .object(members)
        case let other:
            throw RosterScriptError("\(what) cannot be a \(other.name)")
        }
    }


    /// The options table at `index` (empty when absent or nil), its keys checked against `known`.
    func options(_ s: LuaStack, at index: Int32, function: String, known: Set<String>) throws -> OptionReader {
        switch s.type(at: index) {
        case .none, .nil: return try OptionReader([:], function: function, known: known)
        case .table:
            guard case .object(let o) = try value(at: index, on: s, what: "\(function) options") else {
                throw RosterScriptError("\(function): options must be a table with named keys")
            }
            return try OptionReader(o, function: function, known: known)
        default: throw s.argumentError(index, function: function, expected: "table")
        }
    }
}
