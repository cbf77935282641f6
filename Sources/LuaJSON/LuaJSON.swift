import LuaRuntime

/// `roster.json`: UTF-8 JSON to and from Lua values, straight on the Lua stack.
/// Arrays decode to tables marked with `roster.json.array`'s metatable so `[]` survives a round trip;
/// `null` is the sentinel `roster.json.null`; integers stay integers, other numbers become floats.
public final class LuaJSON {
    /// `roster.json.null`: the one Lua value that stands for JSON null.
    public let null: LuaRef
    /// The metatable that marks a table as a JSON array.
    public let arrayMeta: LuaRef

    /// Creates the sentinel and the array marker in `state`.
    public init(state: LuaState) throws {
        let s = state.stack
        s.newTable()
        s.newTable()
        s.push(function: { s in s.push("null"); return 1 })
        s.setField("__tostring", in: -2)
        s.push("roster.json.null")
        s.setField("__name", in: -2)
        try s.setMetatable(of: -2)
        null = s.ref()
        s.newTable()
        s.push("array")
        s.setField("__jsontype", in: -2)
        arrayMeta = s.ref()
    }

    /// Pushes the `roster.json` table (`encode`, `decode`, `null`, `array`).
    public func define(on stack: LuaStack) {
        stack.newTable()
        null.push(on: stack)
        stack.setField("null", in: -2)
        stack.push(function: { [self] s in
            if s.top < 1 { throw s.argumentError(1, function: "encode", expected: "value") }
            var pretty = false
            if s.type(at: 2) == .table {
                s.getField("indent", in: 2)
                pretty = s.boolean(at: -1)
                s.pop()
            }
            var out = JSONOutput(pretty: pretty)
            try encode(s, at: 1, into: &out, depth: 0)
            out.bytes.withUnsafeBytes { s.push(bytes: $0) }
            return 1
        })
        stack.setField("encode", in: -2)
        stack.push(function: { [self] s in
            guard let result = try s.withBytes(at: 1, { buf in try decode(buf, on: s) }) else {
                throw s.argumentError(1, function: "decode", expected: "string")
            }
            return result
        })
        stack.setField("decode", in: -2)
        stack.push(function: { [self] s in
            if s.type(at: 1) != .table { s.setTop(0); s.newTable() } else { s.setTop(1) }
            arrayMeta.push(on: s)
            try s.setMetatable(of: -2)
            return 1
        })
        stack.setField("array", in: -2)
    }

    // MARK: Encoding

    /// Whether the value at `index` is `roster.json.null`.
    public func isNull(_ s: LuaStack, at index: Int32) -> Bool {
        null.push(on: s)
        defer { s.pop() }
        return s.rawEqual(index, -1)
    }

    /// Whether the table at `index` is marked as an array.
    public func isMarkedArray(_ s: LuaStack, at index: Int32) -> Bool {
        guard s.pushMetatable(of: index) else { return false }
        arrayMeta.push(on: s)
        defer { s.pop(2) }
        return s.rawEqual(-1, -2)
    }

    private func encode(_ s: LuaStack, at rawIndex: Int32, into out: inout JSONOutput, depth: Int) throws {
        let index = s.absolute(rawIndex)
        guard depth < 200 else { throw JSONError("roster.json.encode: nested more than 200 levels (a cycle?)") }
        try s.reserve(6)
        switch s.type(at: index) {
        case .nil, .none: out.append("null")
        case .boolean: out.append(s.boolean(at: index) ? "true" : "false")
        case .number:
            if let i = s.integer(at: index), s.isInteger(at: index) {
                out.append(String(i))
            } else if let d = s.number(at: index) {
                guard d.isFinite else { throw JSONError("roster.json.encode: \(d) cannot be written as JSON") }
                out.append(d.description)
            }
        case .string:
            try s.withBytes(at: index) { buf in
                guard String(validating: buf, as: UTF8.self) != nil else {
                    throw JSONError("roster.json.encode: string is not valid UTF-8")
                }
                out.appendQuoted(buf)
            }
        case .table:
            if isNull(s, at: index) { out.append("null"); return }
            let count = s.rawLength(at: index)
            var keys: [String] = []
            var onlySequence = true
            s.pushNil()
            while s.next(index) {
                s.pop()
                if s.isInteger(at: -1), let k = s.integer(at: -1), k >= 1, k <= count { continue }
                onlySequence = false
                switch s.type(at: -1) {
                case .string, .number:
                    keys.append(s.string(at: -1) ?? "")
                default:
                    throw JSONError("roster.json.encode: table key of type \(s.type(at: -1).name) cannot be a JSON key")
                }
            }
            if onlySequence && (count > 0 || isMarkedArray(s, at: index)) {
                out.open("[")
                for i in 1 ... max(1, count) where count > 0 {
                    if i > 1 { out.comma() }
                    s.rawGet(index: i, in: index)
                    try encode(s, at: -1, into: &out, depth: depth + 1)
                    s.pop()
                }
                out.close("]", empty: count == 0)
                return
            }
            // Objects: keys sorted so output is stable; integer keys become strings.
            if count > 0 {
                for i in 1 ... count { keys.append(String(i)) }
            }
            keys.sort()
            out.open("{")
            for (n, key) in keys.enumerated() {
                if n > 0 { out.comma() }
                var k = key
                k.withUTF8 { out.appendQuoted(UnsafeRawBufferPointer($0)) }
                out.colon()
                if s.getField(key, in: index) == .nil, let i = Int(key) {
                    s.pop()
                    s.rawGet(index: i, in: index)
                }
                try encode(s, at: -1, into: &out, depth: depth + 1)
                s.pop()
            }
            out.close("}", empty: keys.isEmpty)
        default:
            throw JSONError("roster.json.encode: a \(s.type(at: index).name) cannot be written as JSON")
        }
    }

    // MARK: Decoding

    private func decode(_ buf: UnsafeRawBufferPointer, on s: LuaStack) throws -> Int32 {
        var p = JSONParser(bytes: buf)
        p.skipSpace()
        try value(&p, on: s, depth: 0)
        p.skipSpace()
        if !p.atEnd { throw p.error("unexpected data after the value") }
        return 1
    }

    private func value(_ p: inout JSONParser, on s: LuaStack, depth: Int) throws {
        guard depth < 200 else { throw p.error("nested more than 200 levels") }
        guard let c = p.peek() else { throw p.error("unexpected end of input") }
        try s.ensureHeadroom(64)
        try s.reserve(4)
        switch c {
        case UInt8(ascii: "{"):
            p.advance()
            s.newTable()
            p.skipSpace()
            if p.peek() == UInt8(ascii: "}") { p.advance(); return }
            while true {
                p.skipSpace()
                guard p.peek() == UInt8(ascii: "\"") else { throw p.error("expected a string key") }
                try p.string(on: s)
                p.skipSpace()
                guard p.peek() == UInt8(ascii: ":") else { throw p.error("expected ':'") }
                p.advance()
                p.skipSpace()
                try value(&p, on: s, depth: depth + 1)
                s.rawSet(in: -3)
                p.skipSpace()
                if p.peek() == UInt8(ascii: ",") { p.advance(); continue }
                if p.peek() == UInt8(ascii: "}") { p.advance(); return }
                throw p.error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            p.advance()
            s.newTable()
            arrayMeta.push(on: s)
            try s.setMetatable(of: -2)
            p.skipSpace()
            if p.peek() == UInt8(ascii: "]") { p.advance(); return }
            var i = 1
            while true {
                p.skipSpace()
                try value(&p, on: s, depth: depth + 1)
                s.setIndex(i, in: -2)
                i += 1
                p.skipSpace()
                if p.peek() == UInt8(ascii: ",") { p.advance(); continue }
                if p.peek() == UInt8(ascii: "]") { p.advance(); return }
                throw p.error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            try p.string(on: s)
        case UInt8(ascii: "t"):
            try p.literal("true"); s.push(true)
        case UInt8(ascii: "f"):
            try p.literal("false"); s.push(false)
        case UInt8(ascii: "n"):
            try p.literal("null"); null.push(on: s)
        default:
            try p.number(on: s)
        }
    }
}

struct JSONError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

/// Output buffer for the encoder.
struct JSONOutput {
    var bytes: [UInt8] = []
    let pretty: Bool
    private var level = 0

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(256)
    }

    mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func open(_ bracket: String) {
        append(bracket)
        level += 1
        newline()
    }

    mutating func close(_ bracket: String, empty: Bool) {
        level -= 1
        if empty {
            while let last = bytes.last, last == 0x20 || last == 0x0A { bytes.removeLast() }
        } else {
            newline()
        }
        append(bracket)
    }

    mutating func comma() {
        bytes.append(UInt8(ascii: ","))
        newline()
    }

    mutating func colon() { append(pretty ? ": " : ":") }

    private mutating func newline() {
        guard pretty else { return }
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: level * 2))
    }

    mutating func appendQuoted(_ buf: UnsafeRawBufferPointer) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for b in buf {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0 ..< 0x20:
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A cursor over JSON text that pushes scalars onto the Lua stack.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }
    func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
    mutating func advance() { i += 1 }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    func error(_ what: String) -> JSONError {
        var line = 1, column = 1
        for b in bytes.prefix(min(i, bytes.count)) {
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return JSONError("roster.json.decode: \(what) at line \(line), column \(column)")
    }

    mutating func literal(_ word: String) throws {
        for b in word.utf8 {
            guard peek() == b else { throw error("invalid literal (expected \(word))") }
            advance()
        }
    }

    mutating func number(on s: LuaStack) throws {
        let start = i
        var isFloat = false
        if peek() == UInt8(ascii: "-") { advance() }
        let digitsStart = i
        while let c = peek(), c >= 0x30, c <= 0x39 { advance() }
        guard i > digitsStart else { throw error("unexpected character") }
        if bytes[digitsStart] == 0x30, i - digitsStart > 1 { throw error("number with a leading zero") }
        if peek() == UInt8(ascii: ".") {
            isFloat = true
            advance()
            let f = i
            while let c = peek(), c >= 0x30, c <= 0x39 { advance() }
            guard i > f else { throw error("digits expected after '.'") }
        }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            isFloat = true
            advance()
            if let c = peek(), c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { advance() }
            let e = i
            while let c = peek(), c >= 0x30, c <= 0x39 { advance() }
            guard i > e else { throw error("digits expected in exponent") }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< i]), as: UTF8.self)
        if !isFloat, let v = Int64(text) {
            s.push(v)
        } else if let d = Double(text) {
            s.push(d)
        } else {
            throw error("invalid number")
        }
    }

    mutating func string(on s: LuaStack) throws {
        advance()  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start ..< i])
            guard String(validating: slice, as: UTF8.self) != nil else { throw error("string is not valid UTF-8") }
            try s.ensureHeadroom(slice.count)
            s.push(bytes: slice)
            advance()
            return
        }
        var out = Array(bytes[start ..< i])
        while true {
            guard let c = peek() else { throw error("unterminated string") }
            advance()
            switch c {
            case UInt8(ascii: "\""):
                guard String(validating: out, as: UTF8.self) != nil else { throw error("string is not valid UTF-8") }
                try s.ensureHeadroom(out.count)
                out.withUnsafeBytes { s.push(bytes: $0) }
                return
            case UInt8(ascii: "\\"):
                guard let e = peek() else { throw error("unterminated escape") }
                advance()
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800 ..< 0xDC00).contains(scalar) {
                        guard peek() == UInt8(ascii: "\\") else { throw error("lone surrogate in \\u escape") }
                        advance()
                        guard peek() == UInt8(ascii: "u") else { throw error("lone surrogate in \\u escape") }
                        advance()
                        let low = try hex4()
                        guard (0xDC00 ..< 0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00 ..< 0xE000).contains(scalar) {
                        throw error("lone surrogate in \\u escape")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw error("invalid escape")
                }
            case 0 ..< 0x20:
                throw error("control character in string")
            default:
                out.append(c)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0 ..< 4 {
            guard let c = peek() else { throw error("short \\u escape") }
            advance()
            let d: UInt32
            switch c {
            case 0x30 ... 0x39: d = UInt32(c - 0x30)
            case 0x41 ... 0x46: d = UInt32(c - 0x41 + 10)
            case 0x61 ... 0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }
}
