// Worksheet rows as a table, the same for XLSX and XLS: the header row after `skip`/`header = N`,
// or numbered columns as wide as the widest row; then each row as a record aligned with the header.

/// Turns a sheet's non-empty rows into the header and records (shared by the workbook readers).
struct SheetTable {
    let path: String
    /// No header row: columns are `column_1`... and the first row is data.
    let numbered: Bool
    private(set) var header: [String] = []
    private var recordNumber = 0
    /// The first record, when there is no header row to hold it back.
    private var pending: ReadEvent?

    init(path: String, numbered: Bool) {
        self.path = path
        self.numbered = numbered
    }

    /// Reads the header from `nextRow` (passing over `skip` rows and rows above `headerRow`); without a
    /// header row (`numbered`, at least `widest` columns wide) that row is the first record.
    mutating func readHeader(skip: Int, at headerRow: Int, widest: Int, warnings: inout WarningLog,
                             nextRow: () throws -> SheetRow?) throws {
        pending = try findHeader(skip: skip, at: headerRow, widest: widest, warnings: &warnings, nextRow: nextRow)
    }

    /// The next record or rejected row from `nextRow`, or nil after the sheet's last row.
    mutating func next(_ nextRow: () throws -> SheetRow?) throws -> ReadEvent? {
        if let event = pending {
            pending = nil
            return event
        }
        return try nextRow().map { event(for: $0) }
    }

    private mutating func findHeader(skip: Int, at headerRow: Int, widest: Int, warnings: inout WarningLog,
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
    private mutating func event(for row: SheetRow) -> ReadEvent {
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

/// The widest row below the rows `skip`/`header = N` pass over: a headerless table's width, which must be
/// known before its first record (the readers count it in a first pass over the sheet).
struct WidestRow {
    let skip: Int
    let headerRow: Int
    private var passed = 0
    private(set) var width = 0

    init(_ options: ReadOptions) {
        skip = options.skip
        headerRow = options.headerRow
    }

    mutating func add(_ row: SheetRow) {
        guard !(row.cells.isEmpty && row.problems.isEmpty) else { return }
        if passed < skip || row.number < headerRow {
            passed += 1
            return
        }
        for cell in row.cells { width = max(width, cell.column + 1) }
    }
}
