/// RFC 4180 record boundaries over raw bytes: a line break inside a quoted field does not end a
/// record. Used to split a CSV for Whispir without ever cutting a quoted field.
public enum CSVRecords {
    /// Byte ranges of every record, each including its line terminator (`\n` or `\r\n`).
    /// The last record may lack one. `unterminatedQuote` tells whether the data ended inside quotes.
    public static func ranges(in bytes: [UInt8]) -> (records: [Range<Int>], unterminatedQuote: Bool) {
        enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
        var records: [Range<Int>] = []
        var state = State.fieldStart
        var start = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch state {
            case .fieldStart, .unquoted:
                if byte == quote, state == .fieldStart {
                    state = .quoted
                } else if byte == comma {
                    state = .fieldStart
                } else if byte == newline {
                    records.append(start..<(index + 1))
                    start = index + 1
                    state = .fieldStart
                } else {
                    state = .unquoted
                }
            case .quoted:
                if byte == quote { state = .quoteInQuoted }
            case .quoteInQuoted:
                if byte == quote {
                    state = .quoted  // an escaped quote ("")
                } else if byte == comma {
                    state = .fieldStart
                } else if byte == newline {
                    records.append(start..<(index + 1))
                    start = index + 1
                    state = .fieldStart
                } else {
                    state = .unquoted  // text after the closing quote: lenient, like most readers
                }
            }
            index += 1
        }
        if start < count { records.append(start..<count) }
        return (records, state == .quoted)
    }

    /// The fields of one record (quotes removed, `""` unescaped, line terminator dropped).
    public static func fields(of record: ArraySlice<UInt8>) -> [String] {
        var bytes = record
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        var fields: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var atFieldStart = true
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    let next = bytes.index(after: index)
                    if next < bytes.endIndex, bytes[next] == UInt8(ascii: "\"") {
                        current.append(byte)
                        index = next
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: current, as: UTF8.self))
                current = []
                atFieldStart = true
                index = bytes.index(after: index)
                continue
            } else if byte == UInt8(ascii: "\""), atFieldStart {
                inQuotes = true
            } else {
                current.append(byte)
            }
            atFieldStart = false
            index = bytes.index(after: index)
        }
        fields.append(String(decoding: current, as: UTF8.self))
        if let first = fields.first, first.hasPrefix("\u{FEFF}") { fields[0] = String(first.dropFirst()) }
        return fields
    }

    /// Whether a record is an empty line.
    static func isBlank(_ record: ArraySlice<UInt8>) -> Bool {
        record.allSatisfy { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
    }
}
