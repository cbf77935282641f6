// RFC 4180 output: UTF-8 without BOM, CRLF, quotes only where a reader would need them (by default;
// `WriteOptions` change the delimiter, encoding, line ending, quoting and header).

/// Writes CSV rows to a file, a descriptor or memory (`ByteOutput`).
///
///     let w = try CSVWriter(path: "out.csv")
///     try w.writeHeader(["Name"]); try w.writeRow(["Ann"]); let s = try w.finish()
public final class CSVWriter: ByteRowWriter {
    /// The sink; its `totalBytes` lets a caller split output into parts.
    public let output: ByteOutput
    let delimiter: UInt8
    let options: WriteOptions
    private var header: [String] = []
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
        var options = WriteOptions()
        options.delimiter = delimiter
        self.options = options
    }

    /// Writes into `output` laid out as `options` say (a BOM first for `utf-8-bom`).
    public init(output: ByteOutput, options: WriteOptions) {
        self.output = output
        delimiter = options.delimiter
        self.options = options
        if options.encoding == .utf8BOM { output.appendBytes([0xEF, 0xBB, 0xBF]) }
    }

    public func writeHeader(_ header: [String]) throws {
        guard width == nil else { throw TabularError.writerMisuse(path: output.path, row: nil, detail: "the header was already written") }
        width = header.count
        self.header = header
        if options.header { try writeLine(header, row: 0) }
    }

    public func writeRow(_ values: [String]) throws {
        guard let width else { throw TabularError.writerMisuse(path: output.path, row: rows + 1, detail: "write the header before rows") }
        guard values.count == width else {
            throw TabularError.writerMisuse(path: output.path, row: rows + 1,
                                            detail: "row has \(values.count) values, the header has \(width): align values with the header")
        }
        try writeLine(values, row: rows + 1)
        rows += 1
    }

    /// Writes one row from bytes (the fast row path); the same output as `writeRow` of their strings.
    public func writeRow(_ fields: BorrowedFields) throws {
        guard let width else { throw TabularError.writerMisuse(path: output.path, row: rows + 1, detail: "write the header before rows") }
        guard fields.count == width else {
            throw TabularError.writerMisuse(path: output.path, row: rows + 1,
                                            detail: "row has \(fields.count) values, the header has \(width): align values with the header")
        }
        guard usesFastPath else { return try writeRow(fields.strings()) }
        let delimiter = self.delimiter
        var worst = 2
        for i in 0 ..< fields.count { worst += fields.lengths[i] * 2 + 3 }
        try output.withSpace(worst) { p, end in
            for i in 0 ..< fields.count {
                if i > 0 { p[end] = delimiter; end += 1 }
                Self.encode(fields[i], delimiter: delimiter, to: p, at: &end)
            }
            p[end] = 0x0D
            p[end + 1] = 0x0A
            end += 2
        }
        rows += 1
    }

    /// UTF-8, CRLF and minimal quoting: the byte-level path (and the CSV-to-CSV pass-through) apply.
    var usesFastPath: Bool { options.encoding != .cp1252 && options.lineEnding == .crlf && !options.quoteAll }

    /// One line, through the slow path when the options ask for more than RFC 4180's defaults.
    private func writeLine(_ fields: [String], row: Int) throws {
        if usesFastPath { return try writeFields(fields) }
        var line: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(delimiter) }
            var bytes: [UInt8]
            if options.encoding == .cp1252 {
                bytes = []
                bytes.reserveCapacity(field.utf8.count)
                for scalar in field.unicodeScalars {
                    guard let byte = Windows1252.byte(for: scalar) else {
                        let name = index < header.count ? header[index] : "\(index + 1)"
                        throw TabularError.unwritable(path: output.path, row: row, column: name,
                                                      detail: "\"\(field)\" has \(scalar.properties.name.map { "U+\(String(scalar.value, radix: 16, uppercase: true)) \($0)" } ?? "U+\(String(scalar.value, radix: 16, uppercase: true))"), which Windows-1252 cannot hold: write encoding = \"utf-8-bom\" instead")
                    }
                    bytes.append(byte)
                }
            } else {
                bytes = Array(field.utf8)
            }
            if options.quoteAll {
                line.append(0x22)
                for b in bytes {
                    line.append(b)
                    if b == 0x22 { line.append(0x22) }
                }
                line.append(0x22)
            } else {
                let count = bytes.count
                line.reserveCapacity(line.count + 2 * count + 2)
                bytes.withUnsafeBufferPointer { source in
                    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * count + 2)
                    defer { scratch.deallocate() }
                    var end = 0
                    Self.encode(source, delimiter: delimiter, to: scratch, at: &end)
                    line.append(contentsOf: UnsafeBufferPointer(start: scratch, count: end))
                }
            }
        }
        if options.lineEnding == .crlf { line.append(0x0D) }
        line.append(0x0A)
        output.appendBytes(line)
        try output.rowDone()
    }

    /// Writes one line of already-split fields with no width check (for byte-level pass-through).
    public func writeRaw(_ fields: [String]) throws {
        try writeFields(fields)
    }

    /// The bytes `writeRow(values)` would add (quotes and CRLF included), to decide where to cut a part.
    public func encodedLength(of values: [String]) -> Int {
        var total = max(values.count - 1, 0) + 2
        for value in values {
            var value = value
            total += value.withUTF8 { bytes -> Int in
                guard !bytes.isEmpty else { return 0 }
                let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count * 2 + 2)
                defer { scratch.deallocate() }
                var end = 0
                Self.encode(bytes, delimiter: delimiter, to: scratch, at: &end)
                return end
            }
        }
        return total
    }

    /// Counts rows that the byte-level pass-through wrote directly into `output`.
    func addRows(_ count: Int) {
        rows += count
    }

    public func finish() throws -> WriteSummary {
        if !finished {
            finished = true
            try output.close()
        }
        return WriteSummary(path: output.path, rows: rows, bytes: output.totalBytes)
    }

    private func writeFields(_ fields: [String]) throws {
        let delimiter = self.delimiter
        var worst = 2
        for field in fields { worst += field.utf8.count * 2 + 3 }
        try output.withSpace(worst) { p, end in
            var first = true
            for field in fields {
                if !first { p[end] = delimiter; end += 1 }
                first = false
                var field = field
                field.withUTF8 { Self.encode($0, delimiter: delimiter, to: p, at: &end) }
            }
            p[end] = 0x0D
            p[end + 1] = 0x0A
            end += 2
        }
    }

    /// Writes one field at `p + end`, quoted when it holds the delimiter, a quote, CR, LF or leading/trailing space.
    /// The caller reserved `2 * count + 2` bytes.
    @inline(__always)
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, to p: UnsafeMutablePointer<UInt8>, at end: inout Int) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        let n = bytes.count
        let quote = UInt8(ascii: "\"")
        var needsQuotes = source[0] == 0x20 || source[0] == 0x09 || source[n - 1] == 0x20 || source[n - 1] == 0x09
        var hasQuote = false
        // Eight bytes at a time while none of them is special; the byte loop below settles the rest.
        var start = 0
        let raw = UnsafeRawPointer(source)
        while start + 8 <= n {
            let word = raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            if hasByte(word, quote) || hasByte(word, delimiter) || hasByte(word, 0x0A) || hasByte(word, 0x0D) { break }
            start += 8
        }
        for i in start ..< n {
            let c = source[i]
            if c <= quote || c == delimiter {
                if c == quote { hasQuote = true } else if c == delimiter || c == 0x0A || c == 0x0D { needsQuotes = true }
            }
        }
        var e = end
        if !(needsQuotes || hasQuote) {
            (p + e).update(from: source, count: n)
            end = e + n
            return
        }
        p[e] = quote
        e += 1
        if hasQuote {
            for i in 0 ..< n {
                let c = source[i]
                p[e] = c
                e += 1
                if c == quote { p[e] = quote; e += 1 }
            }
        } else {
            (p + e).update(from: source, count: n)
            e += n
        }
        p[e] = quote
        end = e + 1
    }

    /// True when any byte of `word` equals `byte` (the classic has-zero-byte trick on `word ^ pattern`).
    @inline(__always)
    static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let v = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080 != 0
    }
}
