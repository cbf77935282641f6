// The text of string cells as Excel shows it: each `<t>` run trimmed unless it asks for its spaces to be kept,
// then the `_xHHHH_` escapes of ECMA-376 decoded.

enum CellText {
    /// XML white space (XML 1.0, production S): space, tab, CR and LF.
    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    /// True when a `<t>` tag carries `xml:space="preserve"`.
    static func preservesSpace(_ tag: XMLTag) -> Bool {
        guard let raw = tag.attribute("space") else { return false }
        return raw.elementsEqual("preserve".utf8)
    }

    /// Appends one finished `<t>` run (its text with entities decoded) to a cell's text. The rule, which is
    /// Excel's and the reference readers': a run without `xml:space="preserve"` loses its leading and trailing
    /// XML white space, judged on the decoded text, so a run holding only `&#xA;` becomes empty (with
    /// `preserve` it stays "\n").
    /// Each run is trimmed on its own; inner white space is always kept. The `_xHHHH_` escapes are decoded
    /// after trimming: they are not XML, so `_x0020_` at an edge is a kept space.
    static func appendRun(_ run: [UInt8], preserve: Bool, to text: inout [UInt8]) {
        var start = 0
        var end = run.count
        if !preserve {
            while start < end, isWhitespace(run[start]) { start += 1 }
            while end > start, isWhitespace(run[end - 1]) { end -= 1 }
        }
        appendUnescaped(run[start ..< end], to: &text)
    }

    /// Decodes ST_Xstring escapes (ECMA-376 Part 1, 22.4.2.4): `_xHHHH_` stands for the UTF-16 code unit HHHH
    /// (hex digits of either case), so `_x000D_` is CR and `_x0041_` is `A`; `_x005F_` is the underscore that
    /// protects a literal `_xHHHH_`, so `_x005F_x0041_` reads as `_x0041_`. A high and a low surrogate escaped
    /// one after the other are one character. What the spec does not make a character stays visible:
    /// `_x` not followed by four hex digits and `_` is not an escape and is kept literally, and a surrogate
    /// escape without its partner (no character in Unicode) becomes U+FFFD, as ill-formed UTF-16 is decoded.
    static func appendUnescaped(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        guard bytes.contains(UInt8(ascii: "_")) else {
            out.append(contentsOf: bytes)
            return
        }
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard let unit = codeUnit(bytes, at: i) else {
                out.append(bytes[i])
                i += 1
                continue
            }
            i += 7
            var scalar: Unicode.Scalar?
            if (0xD800 ... 0xDBFF).contains(unit), let low = codeUnit(bytes, at: i), (0xDC00 ... 0xDFFF).contains(low) {
                scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))
                i += 7
            } else {
                scalar = Unicode.Scalar(unit)
            }
            out.append(contentsOf: String(Character(scalar ?? "\u{FFFD}")).utf8)
        }
    }

    /// The code unit of an `_xHHHH_` escape starting at `i`, or nil when there is none there.
    private static func codeUnit(_ bytes: ArraySlice<UInt8>, at i: Int) -> UInt16? {
        guard i + 7 <= bytes.endIndex, bytes[i] == UInt8(ascii: "_"), bytes[i + 1] == UInt8(ascii: "x"),
              bytes[i + 6] == UInt8(ascii: "_") else { return nil }
        var value: UInt16 = 0
        for k in 2 ..< 6 {
            guard let digit = PackagePart.hexValue(bytes[i + k]) else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
