import Transport

/// What `roster check` shows for one job: the header read, the mapping with sample values, columns
/// left unmapped, required fields nothing maps to, sample rows, counts and the first rejections.
public struct CheckReport {
    public var target: String
    public var sourceHeader: [String]
    public var columns: [String]
    /// (target field, source column, up to 3 sample values), sorted by field.
    public var mapping: [(field: String, column: String, samples: [String])]
    public var unmapped: [String]
    public var missingRequired: [String]
    public var problems: [String]
    public var warnings: [String]
    public var sampleRows: [[String]]
    public var read: Int, wouldSend: Int, skipped: Int, rejected: Int
    public var rejections: [RowIssue]

    init(target: String, sourceHeader: [String], staging: Staging, mapping: [String: String], required: [String],
         problems: [String], warnings: [String], accounting: RowAccounting) {
        self.target = target
        self.sourceHeader = sourceHeader
        columns = staging.columns
        self.mapping = mapping.sorted { $0.key < $1.key }.map { ($0.key, $0.value, staging.samples[$0.value] ?? []) }
        let mappedColumns = Set(mapping.values)
        unmapped = staging.columns.filter { !mappedColumns.contains($0) }
        missingRequired = required.filter { mapping[$0] == nil }
        self.problems = problems
        self.warnings = warnings
        sampleRows = staging.sampleRows
        read = accounting.read
        wouldSend = accounting.sent
        skipped = accounting.skipped
        rejected = accounting.rejected
        rejections = Array(accounting.issues.filter { $0.outcome == .rejected }.prefix(10))
    }

    /// The report as one JSON object (`roster check --json`).
    public var json: JSONValue {
        func strings(_ a: [String]) -> JSONValue { .array(a.map(JSONValue.string)) }
        return .object([
            "target": .string(target), "header": strings(sourceHeader), "columns": strings(columns),
            "mapping": .array(mapping.map { .object(["field": .string($0.field), "column": .string($0.column), "samples": strings($0.samples)]) }),
            "unmapped_columns": strings(unmapped), "missing_required": strings(missingRequired),
            "problems": strings(problems), "warnings": strings(warnings),
            "sample_rows": .array(sampleRows.map { row in
                .object(Dictionary(zip(columns, row).map { ($0, JSONValue.string($1)) }, uniquingKeysWith: { a, _ in a }))
            }),
            "read": .integer(Int64(read)), "would_send": .integer(Int64(wouldSend)), "skipped": .integer(Int64(skipped)),
            "rejected": .integer(Int64(rejected)),
            "rejections": .array(rejections.map { i in
                .object(["row": .integer(Int64(i.record)), "line": .integer(Int64(i.line)), "stage": .string(i.stage), "reason": .string(i.reason)])
            }),
        ])
    }

    /// The report as a person reads it.
    public var text: String {
        var out: [String] = []
        out.append("target: \(target)")
        out.append("header read (\(sourceHeader.count) columns): \(sourceHeader.joined(separator: ", "))")
        out.append("")
        out.append("mapping (source column -> \(target) field):")
        if mapping.isEmpty { out.append("  (none)") }
        let width = min(32, mapping.map(\.column.count).max() ?? 0)
        let fieldWidth = min(32, mapping.map(\.field.count).max() ?? 0)
        for m in mapping {
            let column = m.column.padding(toLength: max(width, m.column.count), withPad: " ", startingAt: 0)
            let field = m.field.padding(toLength: max(fieldWidth, m.field.count), withPad: " ", startingAt: 0)
            let present = columns.contains(m.column) ? "" : "   <- not a column of the file sent"
            out.append("  \(column) -> \(field)   e.g. \(m.samples.isEmpty ? "(no values)" : m.samples.map { "\"\($0)\"" }.joined(separator: ", "))\(present)")
        }
        out.append("columns left unmapped: \(unmapped.isEmpty ? "none" : unmapped.joined(separator: ", "))")
        out.append("required fields nothing maps to: \(missingRequired.isEmpty ? "none" : missingRequired.joined(separator: ", "))")
        for p in problems { out.append("problem: \(p)") }
        for w in warnings { out.append("warning: \(w)") }
        out.append("")
        out.append("first \(sampleRows.count) transformed row(s):")
        for (i, row) in sampleRows.enumerated() {
            out.append("  \(i + 1): " + zip(columns, row).map { "\($0)=\"\($1)\"" }.joined(separator: ", "))
        }
        out.append("")
        out.append("rows: \(read) read, \(wouldSend) would be sent, \(skipped) skipped, \(rejected) rejected")
        if !rejections.isEmpty {
            out.append("first \(rejections.count) rejection(s):")
            for r in rejections { out.append("  row \(r.record), line \(r.line) (\(r.stage)): \(r.reason)") }
        }
        return out.joined(separator: "\n")
    }
}
