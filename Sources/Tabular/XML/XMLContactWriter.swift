// Whispir's XML import document, streamed, laid out as Whispir's own sample.

/// Writes rows as `<ns2:contact>` elements named by the header inside `<ns2:import><ns2:contacts>`.
public final class XMLContactWriter: TableWriter {
    /// The sink; its `totalBytes` lets a caller split output into parts.
    public let output: ByteOutput
    private var names: [String]?
    private var rows = 0
    private var finished = false

    static let prologue = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <ns2:import xmlns:ns2="http://schemas.api.whispir.com" xmlns:ns3="http://schemas.api.whispir.com/dap">
            <ns2:contacts>

        """
    static let epilogue = """
            </ns2:contacts>
        </ns2:import>

        """

    /// Writes into `output`.
    public init(output: ByteOutput) {
        self.output = output
    }

    public func writeHeader(_ header: [String]) throws {
        guard names == nil else { throw TabularError.writerMisuse(path: output.path, row: nil, detail: "the header was already written") }
        for name in header where !Self.isElementName(name) {
            throw TabularError.writerMisuse(path: output.path, row: nil,
                                            detail: "column \"\(name)\" is not a valid XML element name: map it to a Whispir field name such as firstName")
        }
        names = header
        output.append(Self.prologue)
    }

    public func writeRow(_ values: [String]) throws {
        guard let names else { throw TabularError.writerMisuse(path: output.path, row: rows + 1, detail: "write the header before rows") }
        guard values.count == names.count else {
            throw TabularError.writerMisuse(path: output.path, row: rows + 1,
                                            detail: "row has \(values.count) values, the header has \(names.count): align values with the header")
        }
        output.append("        <ns2:contact>\n")
        for (name, value) in zip(names, values) {
            output.append("            <")
            output.append(name)
            output.append(">")
            Self.appendEscaped(value, to: output)
            output.append("</")
            output.append(name)
            output.append(">\n")
        }
        output.append("        </ns2:contact>\n")
        rows += 1
        try output.rowDone()
    }

    public func finish() throws -> WriteSummary {
        if !finished {
            finished = true
            if names == nil { output.append(Self.prologue) }
            output.append(Self.epilogue)
            try output.close()
        }
        return WriteSummary(path: output.path, rows: rows, bytes: output.totalBytes)
    }

    /// ASCII XML names: a letter or `_`, then letters, digits, `_`, `-`, `.`.
    static func isElementName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first.isASCIILetter || first == UInt8(ascii: "_") else { return false }
        if name.lowercased().hasPrefix("xml") { return false }
        return name.utf8.allSatisfy { $0.isASCIILetter || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E }
    }

    static func appendEscaped(_ text: String, to out: ByteOutput) {
        var text = text
        text.withUTF8 { bytes in
            for c in bytes {
                switch c {
                case UInt8(ascii: "&"): out.append("&amp;")
                case UInt8(ascii: "<"): out.append("&lt;")
                case UInt8(ascii: ">"): out.append("&gt;")
                case UInt8(ascii: "\""): out.append("&quot;")
                case 0x0D: out.append("&#13;")
                case 0x09, 0x0A: out.append(c)
                case 0 ..< 0x20: out.append("\u{FFFD}")
                default: out.append(c)
                }
            }
        }
    }
}

extension UInt8 {
    var isASCIILetter: Bool { (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) }
}
