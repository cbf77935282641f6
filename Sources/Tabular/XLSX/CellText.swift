// The text of string cells as Excel shows it: each `<t>` run trimmed unless it asks for its spaces to be kept.

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
    /// Each run is trimmed on its own; inner white space is always kept.
    static func appendRun(_ run: [UInt8], preserve: Bool, to text: inout [UInt8]) {
        var start = 0
        var end = run.count
        if !preserve {
            while start < end, isWhitespace(run[start]) { start += 1 }
            while end > start, isWhitespace(run[end - 1]) { end -= 1 }
        }
        text.append(contentsOf: run[start ..< end])
    }
}
