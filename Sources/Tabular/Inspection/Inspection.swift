// What `roster inspect FILE` shows: detected format, header, a sample, counts and suspicious values.
import Foundation

/// A summary of one table for a person (`text`) or a program (`json()`).
public struct Inspection: Sendable, Equatable, Encodable {
    /// One rejected record, as the errors file would name it.
    public struct Rejection: Sendable, Equatable, Encodable {
        /// 1-based record number, the line where it starts, and why it was rejected.
        public var record: Int
        public var line: Int
        public var reason: String
    }

    /// The file, its detected format (`csv`, `xlsx`, `json`, `xml`) and text encoding.
    public var path: String
    public var format: String
    public var encoding: String?
    /// The delimiter as text (`","`, `"\t"`), for delimited files.
    public var delimiter: String?
    /// Worksheet names (XLSX) and the column names, unique and non-blank.
    public var sheets: [String]
    public var header: [String]
    /// The first records (up to the sample size), aligned with `header`.
    public var sample: [[String]]
    /// Records read, accepted or rejected.
    public var rows: Int
    /// How many records were rejected in all.
    public var rejectedCount: Int
    /// The first rejected records (up to 20), with their line numbers.
    public var rejected: [Rejection]
    /// Reader warnings plus suspicious values found in the data.
    public var warnings: [String]
    /// The `header =` row that fits when the table seems to start below title rows (nil when row 1 fits).
    public var suggestedHeader: Int?

    /// The rendering `roster inspect` prints.
    public var text: String {
        var lines: [String] = []
        lines.append("File:      \(path)")
        var format = self.format
        var details: [String] = []
        if let encoding { details.append(encoding) }
        if let delimiter { details.append("delimiter \(delimiter == "\t" ? "tab" : "\"\(delimiter)\"")") }
        if !details.isEmpty { format += " (\(details.joined(separator: ", ")))" }
        lines.append("Format:    \(format)")
        if !sheets.isEmpty { lines.append("Sheets:    \(sheets.joined(separator: ", "))") }
        lines.append("Columns:   \(header.count): \(header.joined(separator: ", "))")
        lines.append("Rows:      \(rows) (\(rejectedCount) rejected)")
        if !sample.isEmpty {
            lines.append("Sample:")
            for row in sample { lines.append("  " + row.map { $0.isEmpty ? "-" : $0 }.joined(separator: " | ")) }
        }
        if !rejected.isEmpty {
            lines.append("Rejected:")
            for r in rejected { lines.append("  record \(r.record), line \(r.line): \(r.reason)") }
            if rejectedCount > rejected.count { lines.append("  ... and \(rejectedCount - rejected.count) more") }
        }
        if let row = suggestedHeader {
            lines.append("Hint:      the table seems to start at row \(row), below title rows: read it with header = \(row) "
                         + "(roster inspect --header \(row) \(path))")
        }
        if !warnings.isEmpty {
            lines.append("Warnings:")
            for w in warnings { lines.append("  - \(w)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty-printed JSON with stable key order.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// Reads a whole table once (streamed) and summarises it.
public enum Inspector {
    static let rejectedLimit = 20

    /// Inspects `path`; keeps `sampleRows` records and scans every value for suspicious patterns.
    public static func inspect(path: String, options: ReadOptions = ReadOptions(), sampleRows: Int = 5) throws -> Inspection {
        let reader = try Tables.open(path: path, options: options)
        let header = reader.header
        var sample: [[String]] = []
        var rows = 0
        var rejectedCount = 0
        var rejected: [Inspection.Rejection] = []
        var suspicious = ValueChecks(columns: header.count)
        var recordWarnings = WarningLog()
        while let event = try reader.next() {
            rows += 1
            switch event {
            case let .record(record):
                if sample.count < sampleRows { sample.append(record.values) }
                suspicious.check(record.values)
                for warning in record.warnings {
                    recordWarnings.add("record \(record.number) (line \(record.line)): \(warning)", kind: "record")
                }
            case let .rejected(record):
                rejectedCount += 1
                if rejected.count < rejectedLimit {
                    rejected.append(Inspection.Rejection(record: record.number, line: record.line, reason: record.reason))
                }
            }
        }
        let info = reader.info
        var suggestion: Int?
        if options.header && options.headerRow == 1 && options.skip == 0 && options.columns == nil {
            suggestion = try suggestHeaderRow(path: path, options: options)
        }
        return Inspection(path: path, format: info.format.rawValue, encoding: info.encoding,
                          delimiter: info.delimiter.map { String(UnicodeScalar($0)) }, sheets: info.sheets,
                          header: header, sample: sample, rows: rows, rejectedCount: rejectedCount, rejected: rejected,
                          warnings: info.warnings + recordWarnings.all + suspicious.warnings(header: header), suggestedHeader: suggestion)
    }

    static let titleRowsLooked = 10
    static let recordsLooked = 20

    /// When row 1 does not look like a header (blank names, one column, or records below it rejected or
    /// warned about), the first row from 2 to 10 whose header names more columns and reads better.
    static func suggestHeaderRow(path: String, options: ReadOptions) throws -> Int? {
        func fit(_ row: Int) -> (named: Int, width: Int, records: Int, bad: Int, header: [String])? {
            var o = options
            o.headerRow = row
            guard let reader = try? Tables.open(path: path, options: o) else { return nil }
            let named = reader.header.enumerated().filter { $0.element != "column_\($0.offset + 1)" }.count
            var records = 0, bad = 0
            for _ in 0 ..< recordsLooked {
                let event: ReadEvent?
                do { event = try reader.next() } catch { bad += 1; break }
                guard let event else { break }
                if case .record(let r) = event, r.warnings.isEmpty { records += 1 } else { bad += 1 }
            }
            return (named, reader.header.count, records, bad, reader.header)
        }
        guard let first = fit(1), first.bad > 0 || first.records == 0 || first.named < first.width || first.width < 2 else { return nil }
        for row in 2 ... titleRowsLooked {
            guard let candidate = fit(row) else { return nil }
            if candidate.named >= 2 && candidate.named > first.named && candidate.records > 0 && candidate.bad < max(1, first.bad) {
                // Blank rows between: header = N takes the first row at or below N; name the row itself.
                var exact = row
                while exact < titleRowsLooked, let next = fit(exact + 1), next.header == candidate.header { exact += 1 }
                return exact
            }
        }
        return nil
    }
}

/// Per-column counts of values that a spreadsheet or a careless conversion would damage.
struct ValueChecks {
    private var leadingZeros: [(count: Int, example: String)]
    private var exponents: [(count: Int, example: String)]

    init(columns: Int) {
        leadingZeros = Array(repeating: (0, ""), count: columns)
        exponents = Array(repeating: (0, ""), count: columns)
    }

    mutating func check(_ values: [String]) {
        for (index, value) in values.enumerated() where index < leadingZeros.count {
            let utf8 = value.utf8
            guard let first = utf8.first, first >= 0x30 && first <= 0x39 else { continue }
            if first == 0x30, utf8.count >= 6, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 || $0 == 0x20 }) {
                if leadingZeros[index].count == 0 { leadingZeros[index].example = value }
                leadingZeros[index].count += 1
            } else if Self.isExponent(utf8) {
                if exponents[index].count == 0 { exponents[index].example = value }
                exponents[index].count += 1
            }
        }
    }

    /// Digits, one optional '.', then E, an optional sign and digits (how spreadsheets show long numbers).
    private static func isExponent(_ utf8: String.UTF8View) -> Bool {
        var sawE = false
        var sawDigitAfterE = false
        for c in utf8 {
            switch c {
            case 0x30 ... 0x39: if sawE { sawDigitAfterE = true }
            case UInt8(ascii: "."): if sawE { return false }
            case UInt8(ascii: "E"), UInt8(ascii: "e"): if sawE { return false }; sawE = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if !sawE { return false }
            default: return false
            }
        }
        return sawE && sawDigitAfterE
    }

    func warnings(header: [String]) -> [String] {
        var result: [String] = []
        for (index, name) in header.enumerated() {
            let zeros = leadingZeros[index]
            if zeros.count > 0 {
                result.append("column \"\(name)\": \(zeros.count) value(s) with leading zeros (e.g. \(zeros.example)): keep the column as text")
            }
            let exp = exponents[index]
            if exp.count > 0 {
                result.append("column \"\(name)\": \(exp.count) value(s) in exponent notation (e.g. \(exp.example)): numbers mangled by a spreadsheet? re-export the column as text")
            }
        }
        return result
    }
}
