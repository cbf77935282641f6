// RFC 4180 output: UTF-8 without BOM, CRLF, quotes only where a reader would need them.

/// Writes CSV rows to a file, a descriptor or memory (`ByteOutput`).
///
///     let w = try CSVWriter(path: "out.csv")
///     try w.writeHeader(["Name"]); try w.writeRow(["Ann"]); let s = try w.finish()
public final class CSVWriter: TableWriter {
    /// The sink; its `totalBytes` lets a caller split output into parts.
    public let output: ByteOutput
    private let delimiter: UInt8
    private var rows = 0
    private var width: Int?
    private var finished = false

    /// Creates (truncates) `path`.
    public convenience init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws {
        self.init(output: try ByteOutput(path: path), delimiter: delimiter)
    }

    /// Writes into `output` (a descriptor or memory).
    public init(output: ByteOutput, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.output = output
        self.delimiter = delimiter
    }

    public func writeHeader(_ header: [String]) throws {
        guard width == nil else { throw TabularError.writerMisuse(path: output.path, row: nil, detail: "the header was already written") }
        width = header.count
        try writeFields(header)
    }

    public func writeRow(_ values: [String]) throws {
        guard let width else { throw TabularError.writerMisuse(path: output.path, row: rows + 1, detail: "write the header before rows") }
        guard values.count == width else {
            throw TabularError.writerMisuse(path: output.path, row: rows + 1,
                                            detail: "row has \(values.count) values, the header has \(width): align values with the header")
        }
        try writeFields(values)
        rows += 1
    }

    /// Writes one line of already-split fields with no width check (for byte-level pass-through).
    public func writeRaw(_ fields: [String]) throws {
        try writeFields(fields)
    }

    public func finish() throws -> WriteSummary {
        if !finished {
            finished = true
            try output.close()
        }
        return WriteSummary(path: output.path, rows: rows, bytes: output.totalBytes)
    }

    private func writeFields(_ fields: [String]) throws {
        let out = output
        var first = true
        for field in fields {
            if !first { out.append(delimiter) }
            first = false
            var field = field
            field.withUTF8 { Self.encode($0, delimiter: delimiter, into: out) }
        }
        out.append(0x0D)
        out.append(0x0A)
        try out.rowDone()
    }

    /// Appends one field, quoted when it holds the delimiter, a quote, CR, LF or leading/trailing space.
    @inline(__always)
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, into out: ByteOutput) {
        let quote = UInt8(ascii: "\"")
        var needsQuotes = false
        var hasQuote = false
        if let first = bytes.first, let last = bytes.last {
            needsQuotes = first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        }
        for c in bytes where c <= quote || c == delimiter {
            if c == quote { hasQuote = true; needsQuotes = true; break }
            if c == delimiter || c == 0x0A || c == 0x0D { needsQuotes = true }
        }
        if !needsQuotes {
            out.append(bytes)
            return
        }
        out.append(quote)
        if hasQuote {
            for c in bytes {
                if c == quote { out.append(quote) }
                out.append(c)
            }
        } else {
            out.append(bytes)
        }
        out.append(quote)
    }
}
