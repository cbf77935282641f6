// Legacy Excel workbooks (.xls: Excel 97-2003 BIFF8, Excel 5.0/95 BIFF5/7) streamed row by row: the compound
// file's Workbook (or Book) stream is read through a window, the globals once, then one worksheet's records.
// Rows become records exactly as the XLSX reader makes them; `line` is the sheet row number.

/// Streams one worksheet of an .xls workbook (the first worksheet unless `options.sheet` names another).
/// `info.sheets` lists every sheet in workbook order; charts, macro sheets and VBA modules have no cells and are
/// listed with their kind after the name: "Chart1 (chart)", "Macro1 (macro sheet)", "Module1 (VBA module)".
public final class XLSReader: TableReader {
    /// Column names from the header row (or `column_1`... without one), unique and non-blank.
    public var header: [String] { table.header }
    /// The sheets, the code page of Excel 5.0/95 text (`encoding`), and what reading has noticed so far.
    public var info: SourceInfo {
        var result = SourceInfo(path: path, format: .xls, encoding: encoding, sheets: sheetNames)
        result.warnings = warnings.all
        if cells.lossyText {
            result.warnings.append("some text is not valid in code page \(codePage): those bytes were read as U+FFFD")
        }
        if cells.endedEarly { result.warnings.append("the sheet ends without its EOF record: the file may be truncated") }
        if emptyRows > 0 { result.warnings.append("skipped \(emptyRows) empty row(s)") }
        return result
    }

    /// Sheet names in workbook order, marked as `info.sheets` lists them.
    public let sheetNames: [String]
    private let path: String
    private let encoding: String?
    private let codePage: Int
    private var cells: XLSSheetCells
    private var warnings = WarningLog()
    private var table: SheetTable
    private var emptyRows = 0

    /// Opens `path`, reading its workbook globals and finding the worksheet `options.sheet` names.
    public init(path: String, options: ReadOptions = ReadOptions()) throws {
        self.path = path
        table = SheetTable(path: path, numbered: !options.header)
        let numbered = !options.header
        let container = try CompoundFile(path: path)
        if container.isEncryptedPackage { throw TabularError.legacyWorkbook(path: path, encrypted: true) }
        // Excel reads `Workbook` when a file holds both it and an older `Book`.
        guard let entry = container.streamEntry(named: "Workbook") ?? container.streamEntry(named: "Book") else {
            throw TabularError.legacyWorkbook(path: path, encrypted: false)
        }
        let stream = try container.open(entry: entry)
        let book = try XLSWorkbook(records: BIFFRecords(stream: stream), path: path, maxCellBytes: options.maxFieldBytes)
        sheetNames = book.sheets.map(\.listed)
        encoding = book.version == .biff5 ? book.codePage.name : nil
        codePage = book.codePage.number
        for warning in book.warnings { warnings.add(warning) }
        let sheet = try Self.choose(options.sheet, in: book.sheets, path: path)
        func sheetCells() throws -> XLSSheetCells {
            try XLSSheetCells(stream: stream, sheet: sheet, book: book, maxCellBytes: options.maxFieldBytes)
        }
        // Without a header the columns are as wide as the widest row, which must be known before the first
        // record: one pass over the sheet's records finds it, holding one row at a time.
        let widest = numbered ? Self.widestRow(try sheetCells(), options: options) : 0
        cells = try sheetCells()
        try table.readHeader(skip: options.skip, at: options.headerRow, widest: widest, warnings: &warnings, nextRow: nextRow)
    }

    /// The sheet `selector` names (by 1-based position among all sheets as listed, or by name), or the first
    /// worksheet; charts, macro sheets and modules cannot be read.
    private static func choose(_ selector: SheetSelector?, in sheets: [XLSWorkbook.Sheet], path: String) throws -> XLSWorkbook.Sheet {
        let listed = sheets.map(\.listed)
        func readable(_ sheet: XLSWorkbook.Sheet, asked: String) throws -> XLSWorkbook.Sheet {
            guard let kind = sheet.kind.marker else { return sheet }
            throw TabularError.sheetNotFound(path: path, sheet: "\(asked) (\"\(sheet.name)\" is a \(kind), which has no cells)", available: listed)
        }
        switch selector {
        case nil:
            guard let first = sheets.first(where: { $0.kind == .worksheet }) else {
                throw TabularError.sheetNotFound(path: path, sheet: "1", available: listed)
            }
            return first
        case let .index(n):
            guard n >= 1, n <= sheets.count else {
                throw TabularError.sheetNotFound(path: path, sheet: "\(n)", available: listed)
            }
            return try readable(sheets[n - 1], asked: "\(n)")
        case let .name(name):
            let lowered = name.lowercased()
            guard let match = sheets.first(where: { $0.name == name || $0.listed == name })
                ?? sheets.first(where: { $0.name.lowercased() == lowered || $0.listed.lowercased() == lowered }) else {
                throw TabularError.sheetNotFound(path: path, sheet: "\"\(name)\"", available: listed)
            }
            return try readable(match, asked: "\"\(name)\"")
        }
    }

    /// The number of columns up to the rightmost cell with a value in any row read as a record (rows passed over
    /// by `skip` or above `header = N` do not count). Damage ends the count quietly: the reading pass reports it.
    private static func widestRow(_ sheet: XLSSheetCells, options: ReadOptions) -> Int {
        var cells = sheet
        var widest = WidestRow(options)
        while let row = try? cells.nextRow() { widest.add(row) }
        return widest.width
    }

    /// The next worksheet row with at least one value.
    private func nextRow() throws -> SheetRow? {
        while let row = try cells.nextRow() {
            if row.cells.isEmpty && row.problems.isEmpty { emptyRows += 1; continue }
            return row
        }
        return nil
    }

    /// The next record or rejected row of the sheet, or nil after its last row.
    public func next() throws -> ReadEvent? {
        try table.next(nextRow)
    }
}
