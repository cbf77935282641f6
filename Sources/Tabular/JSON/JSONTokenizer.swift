// A pull tokenizer over a buffered UTF-8 stream: tokens are complete before they are returned, so any size streams.

/// JSON tokens; `string` and `number` leave their text in `JSONTokenizer.text`.
enum JSONToken: Equatable {
    case beginObject, endObject, beginArray, endArray, colon, comma
    case string, number, trueValue, falseValue, null
    case end
}

final class JSONTokenizer {
    private let source: UTF8Source
    private let buffer = ByteBuffer(capacity: 256 * 1024)
    private let path: String
    private var atEnd = false
    /// Decoded text of the last string or number token.
    private(set) var text = ""
    /// True when the last string held bytes that are not UTF-8 (it was decoded with replacements).
    private(set) var textWasInvalid = false
    /// Line of the next unread byte (1-based).
    private(set) var line = 1
    /// Line where the last token started.
    private(set) var tokenLine = 1
    private var scratch: [UInt8] = []
    /// Open objects and arrays; past `maxDepth` the document is refused (readers recurse per level).
    private(set) var depth = 0
    /// Nesting a contact document never needs; deeper input is hostile or broken.
    static let maxDepth = 128
    /// The longest string or number token, in bytes.
    let maxTokenBytes: Int

    init(path: String, maxTokenBytes: Int = ReadOptions.defaultMaxFieldBytes) throws {
        self.maxTokenBytes = maxTokenBytes
        let file = try FileInput(path: path)
        let head = try file.peek(count: 3)
        source = RawUTF8Source(file: file, skip: head == [0xEF, 0xBB, 0xBF] ? 3 : 0)
        self.path = path
    }

    private func refill() throws -> Bool {
        if atEnd { return false }
        if !(try source.fill(buffer)) { atEnd = true }
        return !atEnd
    }

    func syntaxError(_ detail: String) -> TabularError {
        TabularError.malformed(path: path, line: tokenLine, detail: "invalid JSON: \(detail)")
    }

    /// The next token; `.end` at end of input.
    func next() throws -> JSONToken {
        while true {
            // Skip whitespace, counting lines.
            var i = buffer.start
            let end = buffer.end
            let p = buffer.base
            while i < end {
                let c = p[i]
                if c == 0x0A { line += 1 } else if c != 0x20 && c != 0x09 && c != 0x0D { break }
                i += 1
            }
            buffer.start = i
            if i >= end {
                if try refill() { continue }
                return .end
            }
            tokenLine = line
            let c = p[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > Self.maxDepth {
                    throw syntaxError("nested deeper than \(Self.maxDepth) levels: contacts are flat records; check how the file was exported")
                }
                buffer.start = i + 1
                return c == UInt8(ascii: "{") ? .beginObject : .beginArray
            case UInt8(ascii: "}"): buffer.start = i + 1; depth -= 1; return .endObject
            case UInt8(ascii: "]"): buffer.start = i + 1; depth -= 1; return .endArray
            case UInt8(ascii: ":"): buffer.start = i + 1; return .colon
            case UInt8(ascii: ","): buffer.start = i + 1; return .comma
            case UInt8(ascii: "\""):
                if let token = try scanString() { return token }
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"):
                if let token = scanWord(number: true) { return token }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                if let token = try scanWord(number: false).map({ try literal($0) }) { return token }
            default:
                throw syntaxError("unexpected character '\(Unicode.Scalar(c))'")
            }
            // The token runs past the buffer: read more and scan it again.
            if buffer.end - i > maxTokenBytes {
                throw syntaxError("a value longer than the \(ReadOptions.describe(bytes: maxTokenBytes)) field ceiling: check the file, or raise max_field_bytes if the value is real")
            }
            if !(try refill()) {
                if c == UInt8(ascii: "\"") { throw syntaxError("unterminated string") }
                // A number or literal ending exactly at end of input.
                atEnd = true
                continue
            }
        }
    }

    private func literal(_ token: JSONToken) throws -> JSONToken {
        switch text {
        case "true": return .trueValue
        case "false": return .falseValue
        case "null": return .null
        default: throw syntaxError("unexpected word '\(text)'")
        }
    }

    /// Numbers and literals: a run of word characters. Nil when the run reaches the buffer's end before EOF.
    private func scanWord(number: Bool) -> JSONToken? {
        let p = buffer.base
        let end = buffer.end
        var i = buffer.start
        while i < end {
            let c = p[i]
            let isWord = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x2B || c == 0x2D || c == 0x2E
            if !isWord { break }
            i += 1
        }
        if i >= end && !atEnd { return nil }
        text = String(decoding: UnsafeBufferPointer(start: p + buffer.start, count: i - buffer.start), as: UTF8.self)
        buffer.start = i
        return number ? .number : .string
    }

    /// A string token with escapes decoded. Nil when it runs past the buffer's end.
    private func scanString() throws -> JSONToken? {
        let p = buffer.base
        let end = buffer.end
        var i = buffer.start + 1
        let contentStart = i
        var escaped = false
        while i < end {
            let c = p[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { escaped = true; i += 2; continue }
            if c < 0x20 { throw syntaxError("control character inside a string (escape it as \\n or \\u00XX)") }
            i += 1
        }
        if i >= end { return nil }
        if !escaped {
            let bytes = UnsafeBufferPointer(start: p + contentStart, count: i - contentStart)
            textWasInvalid = !UTF8Validation.isValid(bytes)
            text = String(decoding: bytes, as: UTF8.self)
        } else {
            try unescape(p, from: contentStart, to: i)
        }
        buffer.start = i + 1
        return .string
    }

    private func unescape(_ p: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int) throws {
        var out: [UInt8] = []
        swap(&out, &scratch)
        defer { swap(&out, &scratch) }
        out.removeAll(keepingCapacity: true)
        var i = start
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= end else { throw syntaxError("short \\u escape") }
            var value: UInt32 = 0
            for k in 0 ..< 4 {
                let c = p[at + k]
                let digit: UInt32
                switch c {
                case 0x30 ... 0x39: digit = UInt32(c - 0x30)
                case 0x41 ... 0x46: digit = UInt32(c - 0x41 + 10)
                case 0x61 ... 0x66: digit = UInt32(c - 0x61 + 10)
                default: throw syntaxError("bad \\u escape")
                }
                value = value << 4 | digit
            }
            return value
        }
        while i < end {
            let c = p[i]
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i)
                i += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF, i + 6 <= end, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") {
                    let low = try hex4(i + 2)
                    if low >= 0xDC00 && low <= 0xDFFF {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(value)).utf8))
            default:
                throw syntaxError("bad escape \\\(Unicode.Scalar(e))")
            }
        }
        textWasInvalid = !UTF8Validation.isValid(out, allowTruncatedEnd: false)
        text = String(decoding: out, as: UTF8.self)
    }

    /// Skips to the start of the next line (to resynchronise JSON Lines after an error); each line starts at depth 0.
    func skipLine() throws {
        depth = 0
        while true {
            let p = buffer.base
            var i = buffer.start
            while i < buffer.end && p[i] != 0x0A { i += 1 }
            if i < buffer.end {
                buffer.start = i + 1
                line += 1
                return
            }
            buffer.start = i
            if !(try refill()) { return }
        }
    }
}
