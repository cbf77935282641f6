// A small XML tokenizer for the handful of tags in XLSX parts, fed in chunks of any size.
// It carries unfinished tags and text across chunks, skips `>` inside quoted attributes,
// comments and processing instructions, passes CDATA through, and decodes entities only where `&` appears.
// Line ends in text and CDATA are normalised as XML 1.0 (section 2.11) asks, before handlers see the text:
// CR LF and a lone CR become LF. This is done to the raw bytes, so a CR written as `&#xD;` is still a CR.

/// A start tag as raw bytes (between `<` and `>`), valid only during the callback.
struct XMLTag {
    let bytes: UnsafeBufferPointer<UInt8>
    let nameEnd: Int
    let selfClosing: Bool

    /// Length of the name after any `prefix:`.
    var localNameLength: Int {
        var start = 0
        for i in 0 ..< nameEnd where bytes[i] == UInt8(ascii: ":") { start = i + 1 }
        return nameEnd - start
    }

    /// True when the tag's local name (prefix dropped) equals `name`.
    @inline(__always)
    func isNamed(_ name: StaticString) -> Bool {
        XMLTag.localName(bytes, end: nameEnd, equals: name)
    }

    @inline(__always)
    static func localName(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, equals name: StaticString) -> Bool {
        var start = 0
        var i = 0
        while i < end {
            if bytes[i] == UInt8(ascii: ":") { start = i + 1 }
            i += 1
        }
        let n = name.utf8CodeUnitCount
        guard end - start == n else { return false }
        let p = name.utf8Start
        for k in 0 ..< n where bytes[start + k] != p[k] { return false }
        return true
    }

    /// Calls `body` with each attribute's raw name and raw value, in order.
    @inline(__always)
    func forEachAttribute(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var i = nameEnd
        let n = bytes.count
        while i < n {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
            let nameStart = i
            while i < n, bytes[i] != UInt8(ascii: "="), bytes[i] != 0x20, bytes[i] != 0x09, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
            let attrNameEnd = i
            while i < n, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "'") { i += 1 }
            guard i < n else { return }
            let quote = bytes[i]
            i += 1
            let valueStart = i
            while i < n, bytes[i] != quote { i += 1 }
            body(UnsafeBufferPointer(start: base + nameStart, count: attrNameEnd - nameStart),
                 UnsafeBufferPointer(start: base + valueStart, count: i - valueStart))
            i += 1
        }
    }

    /// The raw (still entity-encoded) value of the attribute whose local name is `name`.
    func attribute(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        var i = nameEnd
        let n = bytes.count
        while i < n {
            while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
            let nameStart = i
            while i < n, bytes[i] != UInt8(ascii: "="), bytes[i] != 0x20, bytes[i] != 0x09, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
            let attrNameEnd = i
            while i < n, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "'") { i += 1 }
            guard i < n else { return nil }
            let quote = bytes[i]
            i += 1
            let valueStart = i
            while i < n, bytes[i] != quote { i += 1 }
            let valueEnd = i
            i += 1
            guard let base = bytes.baseAddress, attrNameEnd > nameStart else { continue }
            let attrName = UnsafeBufferPointer(start: base + nameStart, count: attrNameEnd - nameStart)
            if XMLTag.localName(attrName, end: attrName.count, equals: name) {
                return UnsafeBufferPointer(start: base + valueStart, count: valueEnd - valueStart)
            }
        }
        return nil
    }

    /// The decoded attribute value as a String.
    func attributeString(_ name: StaticString) -> String? {
        guard let raw = attribute(name) else { return nil }
        var out: [UInt8] = []
        XMLText.appendDecoded(raw, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The attribute value as a non-negative integer; nil when it is not digits or passes a billion.
    func attributeInt(_ name: StaticString) -> Int? {
        guard let raw = attribute(name) else { return nil }
        return XMLTag.digits(raw)
    }

    /// Decimal digits as an integer; nil when empty, not digits, or above `limit` (never overflows).
    static func digits(_ raw: UnsafeBufferPointer<UInt8>, limit: Int = 1_000_000_000) -> Int? {
        guard !raw.isEmpty else { return nil }
        var value = 0
        for c in raw {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int(c - 0x30)
            if value > limit { return nil }
        }
        return value
    }
}

/// What a scanner reports.
protocol XMLScanHandler: AnyObject {
    func start(_ tag: XMLTag) throws
    /// `name` is the raw qualified name.
    func end(_ name: UnsafeBufferPointer<UInt8>) throws
    /// A complete run of text between tags (raw: entities still encoded unless `cdata`).
    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool)
}

enum XMLText {
    /// Appends `raw` with the five named entities and numeric references decoded.
    static func appendDecoded(_ raw: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard raw.contains(UInt8(ascii: "&")) else {
            out.append(contentsOf: raw)
            return
        }
        var i = 0
        let n = raw.count
        while i < n {
            let c = raw[i]
            guard c == UInt8(ascii: "&") else { out.append(c); i += 1; continue }
            var j = i + 1
            while j < n, raw[j] != UInt8(ascii: ";"), j - i < 12 { j += 1 }
            guard j < n, raw[j] == UInt8(ascii: ";"), let base = raw.baseAddress else { out.append(c); i += 1; continue }
            let name = String(decoding: UnsafeBufferPointer(start: base + i + 1, count: j - i - 1), as: UTF8.self)
            var scalar: UInt32?
            switch name {
            case "lt": scalar = 0x3C
            case "gt": scalar = 0x3E
            case "amp": scalar = 0x26
            case "quot": scalar = 0x22
            case "apos": scalar = 0x27
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    scalar = UInt32(name.dropFirst(2), radix: 16)
                } else if name.hasPrefix("#") {
                    scalar = UInt32(name.dropFirst(1))
                }
            }
            if let scalar, let value = Unicode.Scalar(scalar) {
                out.append(contentsOf: Array(String(Character(value)).utf8))
                i = j + 1
            } else {
                out.append(c)
                i += 1
            }
        }
    }
}

/// Feeds chunks to a handler; call `finish()` after the last chunk.
final class XMLByteScanner<Handler: XMLScanHandler> {
    let handler: Handler
    private let buffer = ByteBuffer(capacity: 128 * 1024)
    private let part: String
    /// The longest tag, comment or CDATA section held whole; text runs are handed over in pieces instead.
    private let maxHeldBytes: Int
    /// Text longer than this with no `<` yet is passed to the handler in pieces, so it is never held or rescanned.
    private static var textPiece: Int { 64 * 1024 }
    /// The last piece of text handed over ended in a raw CR, so an LF that opens the next piece belongs to it.
    private var afterCR = false

    init(handler: Handler, part: String, maxHeldBytes: Int = ReadOptions.defaultMaxFieldBytes) {
        self.handler = handler
        self.part = part
        self.maxHeldBytes = max(maxHeldBytes, 1 << 20)
    }

    func feed(_ chunk: UnsafeRawBufferPointer) throws {
        guard let source = chunk.baseAddress, chunk.count > 0 else { return }
        buffer.compact(reserving: chunk.count)
        (buffer.base + buffer.end).update(from: source.assumingMemoryBound(to: UInt8.self), count: chunk.count)
        buffer.end += chunk.count
        try scan()
    }

    func finish() throws {
        if buffer.count > 0 {
            let rest = String(decoding: UnsafeBufferPointer(start: buffer.base + buffer.start, count: min(buffer.count, 40)), as: UTF8.self)
            if rest.contains("<") { throw XLSXPartError(part: part, detail: "the part ends inside a tag: \(rest)") }
        }
    }

    private func scan() throws {
        let p = buffer.base
        let end = buffer.end
        var i = buffer.start
        defer { buffer.start = i }
        while i < end {
            if afterCR {
                afterCR = false
                if p[i] == 0x0A { i += 1; continue }
            }
            // Text up to the next '<' (kept until complete so entities are never split).
            var lt = i
            while lt < end && p[lt] != UInt8(ascii: "<") { lt += 1 }
            if lt >= end {
                // A long run with no tag yet: hand it over now, keeping back a possibly unfinished entity.
                if lt - i > Self.textPiece {
                    var cut = lt
                    var k = lt - 1
                    while k > lt - 16 {
                        if p[k] == UInt8(ascii: "&") { cut = k; break }
                        if p[k] == UInt8(ascii: ";") { break }
                        k -= 1
                    }
                    if cut > i {
                        afterCR = p[cut - 1] == 0x0D
                        handler.text(UnsafeBufferPointer(start: p + i, count: Self.normalizeLineEnds(p, from: i, to: cut) - i), cdata: false)
                    }
                    i = cut
                }
                return
            }
            if lt > i { handler.text(UnsafeBufferPointer(start: p + i, count: Self.normalizeLineEnds(p, from: i, to: lt) - i), cdata: false) }
            i = lt
            guard i + 1 < end else { return }
            let second = p[i + 1]
            if second == UInt8(ascii: "!") || second == UInt8(ascii: "?") {
                guard let next = try skipSpecial(p, from: i, end: end) else { return try holding(end - i) }
                i = next
                continue
            }
            // Find the closing '>' outside quotes.
            var j = i + 1
            var quote: UInt8 = 0
            while j < end {
                let c = p[j]
                if quote != 0 {
                    if c == quote { quote = 0 }
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    quote = c
                } else if c == UInt8(ascii: ">") {
                    break
                }
                j += 1
            }
            if j >= end { return try holding(end - i) }
            if second == UInt8(ascii: "/") {
                var nameEnd = i + 2
                while nameEnd < j, p[nameEnd] != 0x20, p[nameEnd] != 0x09, p[nameEnd] != 0x0A, p[nameEnd] != 0x0D { nameEnd += 1 }
                try handler.end(UnsafeBufferPointer(start: p + i + 2, count: nameEnd - i - 2))
            } else {
                let selfClosing = p[j - 1] == UInt8(ascii: "/")
                let inner = UnsafeBufferPointer(start: p + i + 1, count: (selfClosing ? j - 1 : j) - i - 1)
                var nameEnd = 0
                while nameEnd < inner.count, inner[nameEnd] != 0x20, inner[nameEnd] != 0x09, inner[nameEnd] != 0x0A, inner[nameEnd] != 0x0D { nameEnd += 1 }
                try handler.start(XMLTag(bytes: inner, nameEnd: nameEnd, selfClosing: selfClosing))
                if selfClosing { try handler.end(UnsafeBufferPointer(start: inner.baseAddress, count: nameEnd)) }
            }
            i = j + 1
        }
    }

    /// Rewrites CR LF and lone CR in `p[start ..< end]` as LF, in place; returns the new end of the text.
    private static func normalizeLineEnds(_ p: UnsafeMutablePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var r = start
        while r < end, p[r] != 0x0D { r += 1 }
        guard r < end else { return end }
        var w = r
        while r < end {
            let c = p[r]
            r += 1
            if c == 0x0D {
                p[w] = 0x0A
                if r < end, p[r] == 0x0A { r += 1 }
            } else {
                p[w] = c
            }
            w += 1
        }
        return w
    }

    /// Called when an unfinished tag or section is kept for the next chunk: refuses one that outgrows the ceiling.
    private func holding(_ count: Int) throws {
        if count > maxHeldBytes {
            throw XLSXPartError(part: part, detail: "a tag, comment or CDATA section longer than \(ReadOptions.describe(bytes: maxHeldBytes)): the file is damaged or hostile")
        }
    }

    /// Comments, processing instructions and CDATA; nil when incomplete. DTDs are refused.
    private func skipSpecial(_ p: UnsafeMutablePointer<UInt8>, from i: Int, end: Int) throws -> Int? {
        func starts(_ text: StaticString, at k: Int) -> Bool? {
            let n = text.utf8CodeUnitCount
            if k + n > end { return nil }
            for m in 0 ..< n where p[k + m] != text.utf8Start[m] { return false }
            return true
        }
        func find(_ text: StaticString, from k: Int) -> Int? {
            let n = text.utf8CodeUnitCount
            var m = k
            while m + n <= end {
                if p[m] == text.utf8Start[0], starts(text, at: m) == true { return m }
                m += 1
            }
            return nil
        }
        if p[i + 1] == UInt8(ascii: "?") {
            guard let close = find("?>", from: i + 2) else { return nil }
            return close + 2
        }
        guard let isComment = starts("<!--", at: i) else { return nil }
        if isComment {
            guard let close = find("-->", from: i + 4) else { return nil }
            return close + 3
        }
        guard let isCDATA = starts("<![CDATA[", at: i) else { return nil }
        if isCDATA {
            guard let close = find("]]>", from: i + 9) else { return nil }
            handler.text(UnsafeBufferPointer(start: p + i + 9, count: Self.normalizeLineEnds(p, from: i + 9, to: close) - i - 9), cdata: true)
            return close + 3
        }
        throw XLSXPartError(part: part, detail: "a DTD or declaration inside a workbook part is not allowed")
    }
}

/// A problem inside one XLSX part; the reader turns it into a `TabularError` with the path.
struct XLSXPartError: Error {
    let part: String
    let detail: String
}
