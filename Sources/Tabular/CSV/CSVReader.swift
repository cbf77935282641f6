// RFC 4180 plus real exports: any line ending, sniffed delimiter and encoding, bad records rejected, never dropped.

/// Streams records from delimited text. Create through `Tables.open` or directly.
public final class CSVReader: BorrowingReader {
    public private(set) var header: [String] = []
    public var info: SourceInfo {
        var result = baseInfo
        result.warnings = warnings.all
        if blankLines > 0 { result.warnings.append("skipped \(blankLines) blank line(s)") }
        if commentLines > 0 { result.warnings.append("skipped \(commentLines) comment line(s)") }
        if let source = source as? TranscodingSource, source.replacements > 0 {
            result.warnings.append("\(source.replacements) unpaired UTF-16 surrogate(s) replaced by U+FFFD")
        }
        return result
    }

    /// A field longer than this rejects its record, which is then skipped to its real end (memory stays bounded).
    var maxFieldBytes = ReadOptions.defaultMaxFieldBytes
    /// The values of an oversized record as far as they are kept for the errors file.
    private var oversizedValues: [String]?

    /// Short records: rejected unless the options say to pad them.
    let ragged: RaggedRows

    /// The delimiter in use (sniffed unless given).
    public let delimiter: UInt8
    /// The quote character, when fields may be quoted (`quote = false`: quotes are text).
    let quote: UInt8
    let quoting: Bool
    /// Lines starting with this byte are comments, passed over like blank lines (-1: none).
    private let comment: Int
    private var commentLines = 0
    private var baseInfo: SourceInfo
    var warnings = WarningLog()
    private var blankLines = 0
    private let source: UTF8Source
    let buffer = ByteBuffer(capacity: 512 * 1024)
    private var atEnd = false
    private var line = 1
    var recordNumber = 0
    fileprivate(set) var spans: [FieldSpan] = []
    private var scratch: [UInt8] = []
    /// The borrowed fields of the last record (`nextBorrowed`), and the unescaped bytes of its quoted fields.
    private let slots = FieldSlots()
    private var arena = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    private var arenaCapacity = 4096
    var pending: ReadEvent?
    let validates: Bool

    struct FieldSpan {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    enum Problem {
        case unterminatedQuote
        case textAfterQuote
        /// Field `field` (1-based) passed the ceiling; `unterminated` when its quote ran to the end of the file.
        case fieldTooLong(field: Int, ceiling: Int, unterminated: Bool, linesSkipped: Int)
    }

    enum Scan {
        case needMore
        case end
        case blank
        case fields(line: Int, problem: Problem?)
    }

    /// Set by `scanRecord` when a field passed the ceiling at `buffer.start`; `scanNext` then skips the rest of the record.
    private var oversizedAt: (line: Int, field: Int, inQuote: Bool, lines: Int)?

    /// Opens `path`; `options.delimiter` and `options.encoding` override sniffing.
    public convenience init(path: String, options: ReadOptions = ReadOptions()) throws {
        try self.init(input: try FileInput(path: path), options: options)
    }

    /// Reads delimited text already in memory (`name` stands for the path in messages).
    public convenience init(bytes: [UInt8], name: String, options: ReadOptions = ReadOptions()) throws {
        try self.init(input: FileInput(bytes: bytes, name: name), options: options)
    }

    init(input file: FileInput, options: ReadOptions) throws {
        let path = file.path
        maxFieldBytes = options.maxFieldBytes
        ragged = options.ragged
        quote = options.quote ?? 0x22
        quoting = options.quote != nil
        comment = options.comment.map(Int.init) ?? -1
        let sample = try file.peek(count: EncodingSniffer.sampleSize)
        let detection = try EncodingSniffer.detect(sample: sample, requested: options.encoding, path: path)
        if detection.encoding == .utf8 {
            source = RawUTF8Source(file: file, skip: detection.bomLength)
            validates = true
        } else {
            source = TranscodingSource(file: file, encoding: detection.encoding, skip: detection.bomLength)
            validates = false
        }
        while buffer.count < EncodingSniffer.sampleSize, try source.fill(buffer) {}
        if buffer.count < EncodingSniffer.sampleSize { atEnd = !(try source.fill(buffer)) }
        delimiter = options.delimiter ?? DelimiterSniffer.sniff(UnsafeBufferPointer(start: buffer.base + buffer.start, count: min(buffer.count, EncodingSniffer.sampleSize)),
                                                                quote: options.quote, comment: options.comment,
                                                                skipLines: options.skip + max(0, options.headerRow - 1))
        baseInfo = SourceInfo(path: path, format: .csv, encoding: detection.encoding.rawValue, delimiter: delimiter)
        if let warning = detection.warning { warnings.add(warning) }
        try readHeader(wanted: options.header, skip: options.skip, at: options.headerRow)
    }

    private func readHeader(wanted: Bool, skip: Int, at headerLine: Int) throws {
        var skipped = 0
        while true {
            switch try scanNext() {
            case .end, .needMore:
                return
            case .blank:
                continue
            case let .fields(line, _) where skipped < skip || line < headerLine:
                // A title row above the table: passed over, not a record.
                skipped += 1
                _ = buildValues()
                continue
            case let .fields(line, problem):
                if skipped > 0 { warnings.add("passed over \(skipped) row(s) above the header (skip = \(skip), header = \(headerLine))") }
                let (values, badBytes) = buildValues()
                if wanted {
                    if problem != nil || badBytes {
                        throw TabularError.malformed(path: baseInfo.path, line: line,
                                                     detail: "the header line cannot be read (\(problem.map(Self.describe) ?? "invalid UTF-8")); fix the first line of the file")
                    }
                    let (names, notes) = HeaderNames.normalize(values)
                    header = names
                    for note in notes { warnings.add(note) }
                } else {
                    header = HeaderNames.numbered(values.count)
                    pending = makeEvent(values: values, line: line, problem: problem, badBytes: badBytes)
                }
                return
            }
        }
    }

    public func next() throws -> ReadEvent? {
        switch try nextBorrowed() {
        case nil: return nil
        case .event(let event): return event
        case .record(let record): return .record(record.record())
        }
    }

    deinit { arena.deallocate() }

    /// Like `next()`, but a well-formed record's fields are borrowed from the read buffer (no strings).
    public func nextBorrowed() throws -> BorrowedEvent? {
        if let event = pending {
            pending = nil
            return .event(event)
        }
        while true {
            switch try scanNext() {
            case .end, .needMore:
                return nil
            case .blank:
                continue
            case let .fields(line, problem):
                if problem == nil, oversizedValues == nil, spans.count == header.count, let fields = borrowFields() {
                    recordNumber += 1
                    return .record(BorrowedRecord(number: recordNumber, line: line, fields: fields))
                }
                let (values, badBytes) = buildValues()
                return .event(makeEvent(values: values, line: line, problem: problem, badBytes: badBytes))
            }
        }
    }

    /// The scanned spans as borrowed fields (quoted fields with doubled quotes unescaped into the arena),
    /// or nil when a field is not valid UTF-8 (the caller then rejects the record through `buildValues`).
    private func borrowFields() -> BorrowedFields? {
        let count = spans.count
        slots.reserve(count)
        let p = buffer.base
        var escapedBytes = 0
        for span in spans where span.escaped { escapedBytes += span.end - span.start }
        if escapedBytes > arenaCapacity {
            arena.deallocate()
            arenaCapacity = max(escapedBytes, arenaCapacity * 2)
            arena = .allocate(capacity: arenaCapacity)
        }
        let starts = slots.starts, lengths = slots.lengths
        let quote = self.quote, validates = self.validates
        var used = 0
        for index in 0 ..< count {
            let span = spans[index]
            if span.escaped {
                let from = used
                var i = span.start
                while i < span.end {
                    let c = p[i]
                    arena[used] = c
                    used += 1
                    i += (c == quote && i + 1 < span.end && p[i + 1] == c) ? 2 : 1
                }
                starts[index] = UnsafePointer(arena + from)
                lengths[index] = used - from
            } else {
                starts[index] = UnsafePointer(p + span.start)
                lengths[index] = span.end - span.start
            }
            if validates && !UTF8Validation.isValid(UnsafeBufferPointer(start: starts[index], count: lengths[index])) { return nil }
        }
        return slots.fields(count)
    }

    func makeEvent(values: [String], line: Int, problem: Problem?, badBytes: Bool) -> ReadEvent {
        recordNumber += 1
        if let problem {
            return .rejected(RejectedRecord(number: recordNumber, line: line, reason: Self.describe(problem), values: values))
        }
        if badBytes {
            warnings.add("record \(recordNumber) (line \(line)) has bytes that are not UTF-8: mixed encodings in one file", kind: "encoding")
            return .rejected(RejectedRecord(number: recordNumber, line: line,
                                            reason: "invalid UTF-8 byte sequence (mixed encodings?): save the file as UTF-8", values: values))
        }
        if values.count > header.count {
            return .rejected(RejectedRecord(number: recordNumber, line: line,
                                            reason: "record has \(values.count) fields, the header has \(header.count): quote values that contain the delimiter",
                                            values: values))
        }
        var values = values
        if values.count < header.count {
            guard ragged == .pad else {
                return .rejected(RejectedRecord(number: recordNumber, line: line,
                                                reason: "record has \(values.count) field(s), the header has \(header.count): a cut-off row is never guessed at; "
                                                    + "fix the file, or read it with ragged = \"pad\" if its exporter drops trailing empty fields",
                                                values: values))
            }
            let note = "\(values.count) field(s), the header has \(header.count): padded with empty values (ragged = \"pad\")"
            values.append(contentsOf: repeatElement("", count: header.count - values.count))
            return .record(Record(values: values, number: recordNumber, line: line, warnings: [note]))
        }
        return .record(Record(values: values, number: recordNumber, line: line))
    }

    private static func describe(_ problem: Problem) -> String {
        switch problem {
        case .unterminatedQuote: return "unterminated quoted field: a quote opened on this line is never closed; reading resumed on the next line"
        case .textAfterQuote: return "text after a closing quote: double the quotes inside a quoted value (\"\")"
        case let .fieldTooLong(field, ceiling, unterminated, linesSkipped):
            let size = ReadOptions.describe(bytes: ceiling)
            if unterminated {
                return "field \(field) opens a quote that is never closed: it runs past the \(size) field ceiling to the end of the file, so nothing after this line was read; close the quote or remove it"
            }
            return "field \(field) is longer than the \(size) field ceiling (the record spans \(linesSkipped + 1) line(s)); check its quotes, or raise max_field_bytes if the value is real"
        }
    }

    /// Scans the next record, refilling the buffer as often as needed.
    func scanNext() throws -> Scan {
        while true {
            let result = scanRecord()
            if let at = oversizedAt {
                oversizedAt = nil
                return try skipOversized(line: at.line, field: at.field, inQuote: at.inQuote, lines: at.lines)
            }
            if case .needMore = result {
                if !(try source.fill(buffer)) { atEnd = true }
                continue
            }
            if case .blank = result { blankLines += 1 }
            return result
        }
    }

    /// One record from the buffer, or `.needMore` when it runs past the bytes read so far.
    private func scanRecord() -> Scan {
        let p = buffer.base
        let end = buffer.end
        let eof = atEnd
        let delimiter = self.delimiter
        let quote = self.quote
        let quoting = self.quoting
        let lf: UInt8 = 0x0A
        let cr: UInt8 = 0x0D
        var i = buffer.start
        if i >= end { return eof ? .end : .needMore }
        // Comment lines (`comment = "#"`) are passed over whole, wherever a record would start.
        while comment >= 0 && Int(p[i]) == comment {
            var k = i
            while k < end && p[k] != lf && p[k] != cr { k += 1 }
            if k >= end || (p[k] == cr && k + 1 >= end) {
                if !eof { return .needMore }
            }
            if k < end { k += (p[k] == cr && k + 1 < end && p[k + 1] == lf) ? 2 : 1 }
            i = k
            buffer.start = i
            line += 1
            commentLines += 1
            if i >= end { return eof ? .end : .needMore }
        }
        // Work on a local array: appending to a stored property pays an exclusivity check per field.
        var spans: [FieldSpan] = []
        swap(&spans, &self.spans)
        defer { swap(&spans, &self.spans) }
        spans.removeAll(keepingCapacity: true)
        var lines = 0
        var problem: Problem?
        let first = p[i]
        if first == lf || first == cr {
            if first == cr {
                if i + 1 >= end && !eof { return .needMore }
                i += (i + 1 < end && p[i + 1] == lf) ? 2 : 1
            } else {
                i += 1
            }
            buffer.start = i
            line += 1
            return .blank
        }
        fieldLoop: while true {
            if i >= end {
                if !eof { return .needMore }
                spans.append(FieldSpan(start: i, end: i, escaped: false))
                break fieldLoop
            }
            if quoting && p[i] == quote {
                let contentStart = i + 1
                let linesAtQuote = lines
                var escaped = false
                i += 1
                while true {
                    if i - contentStart > maxFieldBytes {
                        return oversize(at: i, spans: spans, fieldStart: contentStart, line: lines, inQuote: true)
                    }
                    if i >= end {
                        if !eof { return .needMore }
                        // Never closed (or absurdly long): reject just the line where the quote opened and go on after it.
                        problem = .unterminatedQuote
                        var k = contentStart
                        while k < end && p[k] != lf && p[k] != cr { k += 1 }
                        spans.append(FieldSpan(start: contentStart, end: k, escaped: false))
                        if k < end { k += (p[k] == cr && k + 1 < end && p[k + 1] == lf) ? 2 : 1 }
                        lines = linesAtQuote + 1
                        i = k
                        break fieldLoop
                    }
                    let c = p[i]
                    if c == quote {
                        if i + 1 >= end && !eof { return .needMore }
                        if i + 1 < end && p[i + 1] == quote {
                            escaped = true
                            i += 2
                            continue
                        }
                        break
                    }
                    if c == lf {
                        lines += 1
                    } else if c == cr {
                        if i + 1 >= end && !eof { return .needMore }
                        if !(i + 1 < end && p[i + 1] == lf) { lines += 1 }
                    }
                    i += 1
                }
                spans.append(FieldSpan(start: contentStart, end: i, escaped: escaped))
                i += 1
                if i >= end {
                    if !eof { return .needMore }
                    break fieldLoop
                }
                let c = p[i]
                if c == delimiter { i += 1; continue fieldLoop }
                if c != lf && c != cr {
                    // Keep the raw text of the malformed field for the errors file.
                    problem = .textAfterQuote
                    while i < end && p[i] != delimiter && p[i] != lf && p[i] != cr { i += 1 }
                    if i >= end && !eof { return .needMore }
                    spans[spans.count - 1] = FieldSpan(start: contentStart - 1, end: i, escaped: false)
                    if i >= end { break fieldLoop }
                    if p[i] == delimiter { i += 1; continue fieldLoop }
                }
            } else {
                let fieldStart = i
                while i < end {
                    let c = p[i]
                    if c == delimiter || c == lf || c == cr { break }
                    i += 1
                }
                if i - fieldStart > maxFieldBytes {
                    return oversize(at: i, spans: spans, fieldStart: fieldStart, line: lines, inQuote: false)
                }
                if i >= end && !eof { return .needMore }
                spans.append(FieldSpan(start: fieldStart, end: i, escaped: false))
                if i >= end { break fieldLoop }
                if p[i] == delimiter { i += 1; continue fieldLoop }
            }
            // A line terminator ends the record.
            if p[i] == cr {
                if i + 1 >= end && !eof { return .needMore }
                i += (i + 1 < end && p[i + 1] == lf) ? 2 : 1
            } else {
                i += 1
            }
            lines += 1
            break fieldLoop
        }
        let recordLine = line
        line += lines
        buffer.start = i
        return .fields(line: recordLine, problem: problem)
    }

    /// Keeps what the errors file shows of an oversized record (the fields before it, the field's first KiB) and drops the rest of the buffer.
    private func oversize(at i: Int, spans: [FieldSpan], fieldStart: Int, line lines: Int, inQuote: Bool) -> Scan {
        let saved = self.spans
        self.spans = spans + [FieldSpan(start: fieldStart, end: min(i, fieldStart + 1024), escaped: false)]
        var (values, _) = buildValues()
        self.spans = saved
        values[values.count - 1] += "…"
        oversizedValues = values
        buffer.start = i
        oversizedAt = (line, spans.count + 1, inQuote, lines)
        return .needMore
    }

    /// Consumes the rest of an oversized record without keeping it: to the line end outside quotes, or to the end of the file.
    private func skipOversized(line recordLine: Int, field: Int, inQuote startInQuote: Bool, lines startLines: Int) throws -> Scan {
        let quote = self.quote, quoting = self.quoting, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var inQuote = startInQuote
        var quotePending = false
        var atFieldStart = false
        var lines = startLines
        var crPending = false
        var finished = false
        while !finished {
            if buffer.start >= buffer.end {
                if try atEnd || !source.fill(buffer) { atEnd = true; break }
                continue
            }
            let p = buffer.base
            var i = buffer.start
            let end = buffer.end
            while i < end {
                let c = p[i]
                if crPending {
                    crPending = false
                    if c == lf { i += 1 }
                    finished = true
                    break
                }
                if inQuote {
                    if quotePending {
                        quotePending = false
                        if c == quote { i += 1; continue }
                        inQuote = false
                    } else {
                        if c == quote { quotePending = true } else if c == lf { lines += 1 } else if c == cr, !(i + 1 < end && p[i + 1] == lf) { lines += 1 }
                        i += 1
                        continue
                    }
                }
                i += 1
                if c == lf { finished = true; break }
                if c == cr { crPending = true; continue }
                if c == delimiter { atFieldStart = true } else if quoting && c == quote && atFieldStart { inQuote = true; atFieldStart = false } else { atFieldStart = false }
            }
            buffer.start = i
        }
        if quotePending { inQuote = false }
        let skipped = lines
        line = recordLine + lines + 1
        return .fields(line: recordLine, problem: .fieldTooLong(field: field, ceiling: maxFieldBytes, unterminated: inQuote, linesSkipped: skipped))
    }

    /// Strings for the scanned spans; `badBytes` when some field is not valid UTF-8.
    func buildValues() -> ([String], Bool) {
        if let kept = oversizedValues {
            oversizedValues = nil
            return (kept, false)
        }
        var values: [String] = []
        values.reserveCapacity(spans.count)
        var bad = false
        let p = buffer.base
        let validates = self.validates
        var scratch: [UInt8] = []
        swap(&scratch, &self.scratch)
        defer { swap(&scratch, &self.scratch) }
        for span in spans {
            if span.escaped {
                scratch.removeAll(keepingCapacity: true)
                var i = span.start
                while i < span.end {
                    let c = p[i]
                    scratch.append(c)
                    i += (c == quote && i + 1 < span.end && p[i + 1] == c) ? 2 : 1
                }
                scratch.withUnsafeBufferPointer { bytes in
                    if validates && !UTF8Validation.isValid(bytes) { bad = true }
                    values.append(String(decoding: bytes, as: UTF8.self))
                }
            } else {
                let bytes = UnsafeBufferPointer(start: p + span.start, count: span.end - span.start)
                if validates && !UTF8Validation.isValid(bytes) { bad = true }
                values.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        return (values, bad)
    }
}
