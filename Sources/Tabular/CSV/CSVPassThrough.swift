// CSV to CSV without Strings: field bytes go from the read buffer straight into the output buffer.

extension CSVReader {
    /// Copies the remaining records to `writer` at byte level; rejected records go to `onRejected`. Returns the rows it wrote directly (not via `writeRow`).
    func copyRecords(to writer: CSVWriter, onRejected: (RejectedRecord) throws -> Void) throws -> Int {
        var written = 0
        if let event = pending {
            pending = nil
            switch event {
            case let .record(record): try writer.writeRow(record.values)
            case let .rejected(rejected): try onRejected(rejected)
            }
        }
        let width = header.count
        let quote = UInt8(ascii: "\"")
        let outDelimiter = writer.delimiter
        while true {
            switch try scanNext() {
            case .end, .needMore:
                return written
            case .blank:
                continue
            case let .fields(line, problem):
                let spans = self.spans
                let p = buffer.base
                // Doubled quotes are copied as they are only when the input's quote is the writer's (").
                var clean = problem == nil && spans.count == width && (self.quote == quote || !spans.contains { $0.escaped })
                if clean && validates {
                    for span in spans where !UTF8Validation.isValid(UnsafeBufferPointer(start: p + span.start, count: span.end - span.start)) {
                        clean = false
                        break
                    }
                }
                guard clean else {
                    let (values, badBytes) = buildValues()
                    switch makeEvent(values: values, line: line, problem: problem, badBytes: badBytes) {
                    case let .record(record):
                        for note in record.warnings { warnings.add("record \(record.number) (line \(record.line)): \(note)", kind: "record") }
                        try writer.writeRow(record.values)
                    case let .rejected(rejected): try onRejected(rejected)
                    }
                    continue
                }
                recordNumber += 1
                let rawLength = spans.isEmpty ? 0 : spans[spans.count - 1].end - spans[0].start
                try writer.output.withSpace(rawLength * 2 + 3 * width + 4) { out, end in
                    for (index, span) in spans.enumerated() {
                        if index > 0 { out[end] = outDelimiter; end += 1 }
                        let bytes = UnsafeBufferPointer(start: p + span.start, count: span.end - span.start)
                        if span.escaped {
                            // Doubled quotes inside stay doubled: exactly what the writer would produce.
                            out[end] = quote
                            (out + end + 1).update(from: p + span.start, count: bytes.count)
                            end += bytes.count + 1
                            out[end] = quote
                            end += 1
                        } else {
                            CSVWriter.encode(bytes, delimiter: outDelimiter, to: out, at: &end)
                        }
                    }
                    if spans.count < width {
                        for _ in spans.count ..< width { out[end] = outDelimiter; end += 1 }
                    }
                    out[end] = 0x0D
                    out[end + 1] = 0x0A
                    end += 2
                }
                written += 1
            }
        }
    }
}

/// Streams a whole table from a reader into a writer.
public enum TableCopy {
    /// Writes `reader`'s header and every record to `writer`, then finishes it; rejected records go to `onRejected`.
    /// CSV to CSV takes a byte-level path that builds no Strings (same output as the generic loop).
    public static func copy(from reader: any TableReader, to writer: any TableWriter,
                            onRejected: (RejectedRecord) throws -> Void = { _ in }) throws -> WriteSummary {
        try writer.writeHeader(reader.header)
        if let csv = reader as? CSVReader, let out = writer as? CSVWriter, out.usesFastPath, out.options.header {
            let rows = try csv.copyRecords(to: out, onRejected: onRejected)
            out.addRows(rows)
            return try writer.finish()
        }
        while let event = try reader.next() {
            switch event {
            case let .record(record): try writer.writeRow(record.values)
            case let .rejected(rejected): try onRejected(rejected)
            }
        }
        return try writer.finish()
    }
}
