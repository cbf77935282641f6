// Worksheet rows as a table, the same for XLSX and XLS: the header row after `skip`/`header = N`,
// or numbered columns as wide as the widest row; then each row as a record aligned with the header.

/// Turns a sheet's non-empty rows into the header and records (shared by the workbook readers).
struct SheetTable {
    let path: String
    /// No header row: columns are `column_1`... and the first row is data.
    let numbered: Bool
    private(set) var header: [String] = []
    private var recordNumber = 0

    init(path: String, numbered: Bool) {
        self.path = path
        self.numbered = numbered
    }

    /// Reads the header from `nextRow` (passing over `skip` rows and rows above `headerRow`); returns the
    /// first record when there is no header row (`numbered`, whose width is at least `widest`).
    mutating func readHeader(skip: Int, at headerRow: Int, widest: Int, warnings: inout WarningLog,
                             nextRow: () throws -> SheetRow?) throws -> ReadEvent? {
        var skipped = 0
        var found: SheetRow?
        while let row = try nextRow() {
            if skipped < skip || row.number < headerRow {
                skipped += 1
                continue
            }
            found = row
            break
        }
        if skipped > 0 { warnings.add("passed over \(skipped) row(s) above the header (skip = \(skip), header = \(headerRow))") }
        guard let first = found else { return nil }
        if !numbered, let problem = first.problems.first {
            throw TabularError.malformed(path: path, line: first.number, detail: "the header row cannot be read: \(problem)")
        }
        let width = (first.cells.map(\.column).max() ?? -1) + 1
        if numbered {
            header = HeaderNames.numbered(max(width, widest))
            return event(for: first)
        }
        var names = [String](repeating: "", count: width)
        for cell in first.cells { names[cell.column] = cell.value }
        let (unique, notes) = HeaderNames.normalize(names)
        header = unique
        for note in notes { warnings.add(note) }
        return nil
    }

    /// The record (or rejection) for `row`: values placed by column, the row's notes as its warnings.
    mutating func event(for row: SheetRow) -> ReadEvent {
        recordNumber += 1
        var values = [String](repeating: "", count: header.count)
        var notes = row.notes
        // A value right of the header has no column to go to: the row is read without it, and a warning names
        // the cell (absent trailing cells of a short row are empty cells, never a ragged row).
        for cell in row.cells {
            if cell.column < values.count {
                values[cell.column] = cell.value
            } else {
                let last = header.isEmpty ? "none" : CellFormatting.columnName(header.count - 1)
                notes.append("cell \(CellFormatting.columnName(cell.column))\(row.number) is right of the header's last column (\(last)): ignored")
            }
        }
        if !row.problems.isEmpty {
            return .rejected(RejectedRecord(number: recordNumber, line: row.number, reason: row.problems.joined(separator: "; "), values: values))
        }
        return .record(Record(values: values, number: recordNumber, line: row.number, warnings: notes))
    }
}
