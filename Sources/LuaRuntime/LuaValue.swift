/// A Lua value copied into Swift. Strings that are not valid UTF-8 stay bytes, so nothing is mangled.
public enum LuaValue: Hashable, Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case bytes([UInt8])
    case table(LuaTable)
    /// A function, userdata or thread: kept by type name only (it cannot leave its state).
    case opaque(String)

    /// The value as Lua's `tostring` would show a string or number; `nil` for other types.
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .integer(let i): return String(i)
        case .number(let d): return LuaNumberFormat.string(d)
        default: return nil
        }
    }
}

/// A Lua table copied into Swift: its sequence part `1...n` and every other key.
public struct LuaTable: Hashable, Sendable {
    public var array: [LuaValue]
    public var fields: [LuaValue: LuaValue]

    public init(array: [LuaValue] = [], fields: [LuaValue: LuaValue] = [:]) {
        self.array = array
        self.fields = fields
    }

    /// The field named `key` (a string key).
    public subscript(key: String) -> LuaValue {
        fields[.string(key)] ?? .nil
    }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(nilLiteral: ()) { self = .nil }
}

/// Formats floats as Lua 5.4 does (`%.14g`, with `.0` kept on integral values).
public enum LuaNumberFormat {
    public static func string(_ d: Double) -> String {
        if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var buffer = [CChar](repeating: 0, count: 48)
        let written = withVaList([d]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 48, "%.14g", args) }
        }
        let text = String(decoding: buffer.prefix(Int(max(0, written))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) { return text }
        return text + ".0"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
