// Whispir's JSON import document, streamed: {"contacts":[{...},{...}]}.

/// Writes rows as objects keyed by the header inside `{"contacts":[...]}`.
public final class JSONContactWriter: TableWriter {
    /// The sink; its `totalBytes` lets a caller split output into parts.
    public let output: ByteOutput
    private var keys: [[UInt8]]?
    private var rows = 0
    private var finished = false

    /// Writes into `output`.
    public init(output: ByteOutput) {
        self.output = output
    }

    public func writeHeader(_ header: [String]) throws {
        guard keys == nil else { throw TabularError.writerMisuse(path: output.path, row: nil, detail: "the header was already written") }
        keys = header.map { name in
            let sink = ByteOutput(memoryNamed: "")
            Self.appendString(name, to: sink)
            sink.append(UInt8(ascii: ":"))
            return (try? sink.takeBytes()) ?? []
        }
        output.append("{\"contacts\":[")
    }

    public func writeRow(_ values: [String]) throws {
        guard let keys else { throw TabularError.writerMisuse(path: output.path, row: rows + 1, detail: "write the header before rows") }
        guard values.count == keys.count else {
            throw TabularError.writerMisuse(path: output.path, row: rows + 1,
                                            detail: "row has \(values.count) values, the header has \(keys.count): align values with the header")
        }
        output.append(rows == 0 ? "\n{" : ",\n{")
        for (index, value) in values.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            keys[index].withUnsafeBufferPointer { output.append($0) }
            Self.appendString(value, to: output)
        }
        output.append(UInt8(ascii: "}"))
        rows += 1
        try output.rowDone()
    }

    public func finish() throws -> WriteSummary {
        if !finished {
            finished = true
            if keys == nil { output.append("{\"contacts\":[") }
            output.append(rows == 0 ? "]}\n" : "\n]}\n")
            try output.close()
        }
        return WriteSummary(path: output.path, rows: rows, bytes: output.totalBytes)
    }

    /// Appends `text` as a JSON string literal.
    static func appendString(_ text: String, to out: ByteOutput) {
        var text = text
        out.append(UInt8(ascii: "\""))
        text.withUTF8 { bytes in
            for c in bytes {
                switch c {
                case UInt8(ascii: "\""): out.append("\\\"")
                case UInt8(ascii: "\\"): out.append("\\\\")
                case 0x0A: out.append("\\n")
                case 0x0D: out.append("\\r")
                case 0x09: out.append("\\t")
                case 0 ..< 0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append("\\u00")
                    out.append(hex[Int(c >> 4)])
                    out.append(hex[Int(c & 0xF)])
                default: out.append(c)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
