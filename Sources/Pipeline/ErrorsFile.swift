import Tabular

/// The errors file: every skipped, rejected or vendor-erred record with its original columns plus
/// `_row`, `_line`, `_outcome`, `_stage`, `_reason` and `_warnings` (what the reader noticed), as CSV in UTF-8 with a byte order mark (so Excel reads accented names).
/// Cells a spreadsheet would run as formulas are neutralised.
public final class ErrorsFile {
    public let path: String
    private let writer: CSVWriter
    private let width: Int

    /// Creates (truncates) `path` for records of a table with `header`.
    public init(path: String, header: [String]) throws {
        self.path = path
        let output = try ByteOutput(path: path)
        output.appendBytes([0xEF, 0xBB, 0xBF])
        writer = CSVWriter(output: output)
        width = header.count
        try writer.writeHeader(header + ["_row", "_line", "_outcome", "_stage", "_reason", "_warnings"])
    }

    /// Appends one issue; values beyond the header are kept in `_reason`'s neighbours, never dropped.
    public func append(_ issue: RowIssue) throws {
        var cells = issue.values.prefix(width).map(Self.neutralised)
        if cells.count < width { cells += Array(repeating: "", count: width - cells.count) }
        var reason = issue.reason
        if issue.values.count > width {
            reason += " [extra fields: " + issue.values.dropFirst(width).joined(separator: " | ") + "]"
        }
        try writer.writeRow(cells + [String(issue.record), String(issue.line), issue.outcome.rawValue, issue.stage, Self.neutralised(reason),
                                     Self.neutralised(issue.warnings.joined(separator: "; "))])
    }

    /// Closes the file and returns what was written.
    public func finish() throws -> WriteSummary { try writer.finish() }

    /// Prefixes `'` to values starting with `=`, `+`, `-`, `@`, tab or CR, which spreadsheets evaluate.
    public static func neutralised(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return "'" + value
        default: return value
        }
    }
}
