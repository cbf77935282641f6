// One worksheet substream ([MS-XLS] 2.1.7.20.5) read as rows: cell records arrive in row order; within a row
// they are put in column order. Values are shown as the XLSX reader shows them (CellFormatting).

/// The rows of one worksheet, one at a time, in the order the file holds them. A struct, so that the per-cell
/// work mutates a value its owner holds rather than a class's properties, each access to which is checked at run
/// time; copies share the record cursor, so only one of them may read.
struct XLSSheetCells {
    private let records: BIFFRecords
    private let book: XLSWorkbook
    private let maxCellBytes: Int
    private let path: String
    /// The row being gathered, and a finished one waiting to be handed out.
    private var current: SheetRow?
    private var ready: SheetRow?
    private var lastColumn = -1
    /// The number of cells of the row before: room reserved for the next one.
    private var lastWidth = 0
    private var inOrder = true
    /// Nesting of BOF/EOF pairs: a chart embedded in the sheet is a substream of its own.
    private var depth = 1
    private var finished = false
    /// A FORMULA whose string result is in the STRING record that follows.
    private var pendingString: (row: Int, column: Int)?
    private var units: [UInt16] = []
    private var scratch: [UInt8] = []
    /// True when the stream ended before the sheet's EOF record.
    private(set) var endedEarly = false
    /// True when some 8-bit text had bytes its code page does not define.
    private(set) var lossyText = false

    init(stream: CompoundStream, sheet: XLSWorkbook.Sheet, book: XLSWorkbook, maxCellBytes: Int) throws {
        records = BIFFRecords(stream: stream, at: sheet.offset)
        self.book = book
        self.maxCellBytes = maxCellBytes
        path = stream.file.path
        guard sheet.offset <= stream.size - 4, try records.next(), records.type == BIFFType.bof else {
            throw TabularError.malformed(path: path, line: nil, detail: "sheet \"\(sheet.name)\" should start at byte \(sheet.offset) of the \(stream.name) stream (\(stream.size) bytes), but no BOF record is there: the file is damaged; open it in Excel and save it again")
        }
    }

    /// The next row that has at least one cell record (its cells may all be empty), or nil after the last.
    mutating func nextRow() throws -> SheetRow? {
        while ready == nil, !finished {
            guard try records.next() else {
                endedEarly = true
                finish()
                break
            }
            try handle()
        }
        defer { ready = nil }
        return ready
    }

    private mutating func finish() {
        finished = true
        if let row = current { ready = ordered(row) }
        current = nil
    }

    /// Cells in column order; of two cells in one column, the later record wins.
    private func ordered(_ row: SheetRow) -> SheetRow {
        guard !inOrder else { return row }
        var result = row
        var byColumn: [Int: String] = [:]
        for cell in row.cells { byColumn[cell.column] = cell.value }
        result.cells = byColumn.sorted { $0.key < $1.key }.map { (column: $0.key, value: $0.value) }
        return result
    }

    private mutating func handle() throws {
        let type = records.type
        switch type {
        case BIFFType.bof:
            depth += 1
            return
        case BIFFType.eof:
            depth -= 1
            if depth == 0 { finish() }
            return
        default:
            break
        }
        guard depth == 1 else { return }
        switch type {
        case BIFFType.number:
            guard records.length >= 14 else { throw records.tooShort("NUMBER", needs: 14) }
            try number(records.f64(6))
        case BIFFType.rk:
            guard records.length >= 10 else { throw records.tooShort("RK", needs: 10) }
            try number(Self.rk(records.u32(6)))
        case BIFFType.mulRK:
            guard records.length >= 6 else { throw records.tooShort("MULRK", needs: 6) }
            let row = records.u16(0)
            let first = records.u16(2)
            for k in 0 ..< (records.length - 6) / 6 {
                let at = 4 + 6 * k
                try start(row: row, column: first + k)
                add(numberText(Self.rk(records.u32(at + 2)), format: records.u16(at), row: row, column: first + k), row: row, column: first + k)
            }
        case BIFFType.labelSST:
            guard records.length >= 10 else { throw records.tooShort("LABELSST", needs: 10) }
            let (row, column) = try cellStart()
            let index = Int(records.u32(6))
            guard index < book.strings.strings.count else {
                problem("cell \(Self.reference(row, column)) points at shared string \(index), but the workbook has \(book.strings.strings.count): the file is damaged; re-save it in Excel")
                return
            }
            if !book.strings.tooLong.isEmpty, book.strings.tooLong.contains(index) {
                problem("cell \(Self.reference(row, column)) holds shared string \(index), which is longer than the \(ReadOptions.describe(bytes: maxCellBytes)) cell ceiling: check the workbook, or raise max_field_bytes if the value is real")
                return
            }
            add(book.strings.strings[index], row: row, column: column)
        case BIFFType.label, BIFFType.rString:
            guard records.length >= 8 else { throw records.tooShort(type == BIFFType.label ? "LABEL" : "RSTRING", needs: 8) }
            let (row, column) = try cellStart()
            text(try readText(at: 6), row: row, column: column)
        case BIFFType.boolErr:
            guard records.length >= 8 else { throw records.tooShort("BOOLERR", needs: 8) }
            let (row, column) = try cellStart()
            if records.u8(7) == 0 {
                add(records.u8(6) == 0 ? "FALSE" : "TRUE", row: row, column: column)
            } else {
                note("cell \(Self.reference(row, column)) holds the error \(Self.errorName(records.u8(6))): read as empty")
            }
        case BIFFType.formula:
            guard records.length >= 14 else { throw records.tooShort("FORMULA", needs: 14) }
            let (row, column) = try cellStart()
            guard records.u8(12) == 0xFF, records.u8(13) == 0xFF else {
                add(numberText(records.f64(6), format: records.u16(4), row: row, column: column), row: row, column: column)
                return
            }
            switch records.u8(6) {
            case 0: pendingString = (row, column)
            case 1: add(records.u8(8) == 0 ? "FALSE" : "TRUE", row: row, column: column)
            case 2: note("cell \(Self.reference(row, column)) holds the error \(Self.errorName(records.u8(8))): read as empty")
            default: break // 3: an empty string
            }
        case BIFFType.string:
            guard let (row, column) = pendingString else { return }
            pendingString = nil
            text(try readText(at: 0), row: row, column: column)
        case 0x0201, 0x00BE: // BLANK, MULBLANK: formatted empty cells
            guard records.length >= 4 else { return }
            _ = try cellStart()
        default:
            // SHRFMLA, ARRAY and TABLE sit between a FORMULA and its STRING; other records end the wait.
            if ![0x04BC, 0x0221, 0x0236].contains(type) { pendingString = nil }
        }
    }

    /// Row and column of the current cell record, started as a cell of its row.
    private mutating func cellStart() throws -> (Int, Int) {
        let (row, column) = (records.u16(0), records.u16(2))
        try start(row: row, column: column)
        return (row, column)
    }

    /// Makes `row` the row being gathered (handing the previous one out) and checks the column.
    private mutating func start(row: Int, column: Int) throws {
        pendingString = nil
        if current?.number != row + 1 {
            if let previous = current {
                ready = ordered(previous)
                lastWidth = previous.cells.count
            }
            var cells: [(column: Int, value: String)] = []
            cells.reserveCapacity(lastWidth)
            current = SheetRow(number: row + 1, cells: cells)
            lastColumn = -1
            inOrder = true
        }
        guard column < CellFormatting.maxColumns else {
            throw TabularError.malformed(path: path, line: row + 1, detail: "row \(row + 1): a cell in column \(column + 1), beyond column XFD, the last a worksheet can have: the file is damaged; re-save it in Excel")
        }
    }

    private mutating func add(_ value: String, row: Int, column: Int) {
        guard !value.isEmpty, current?.number == row + 1 else { return }
        if column <= lastColumn { inOrder = false }
        lastColumn = max(lastColumn, column)
        current?.cells.append((column, value))
    }

    private mutating func problem(_ text: String) { current?.problems.append(text) }
    private mutating func note(_ text: String) { current?.notes.append(text) }

    /// A text cell's value, or a problem when it is longer than the ceiling.
    private mutating func text(_ value: String, row: Int, column: Int) {
        if value.utf8.count > maxCellBytes {
            problem("cell \(Self.reference(row, column)) is longer than the \(ReadOptions.describe(bytes: maxCellBytes)) cell ceiling: check the workbook, or raise max_field_bytes if the value is real")
        } else {
            add(value, row: row, column: column)
        }
    }

    /// The string of a LABEL, RSTRING or STRING record from body offset `at`: BIFF8 Unicode (carried on by
    /// CONTINUE records), or BIFF5 bytes in the workbook's code page. Text cut short by the record is kept as read.
    private mutating func readText(at offset: Int) throws -> String {
        guard records.length >= offset + 2 else { throw records.tooShort("string", needs: offset + 2) }
        if book.version == .biff8 {
            var body = ContinuedBody(records, from: offset)
            _ = try body.unicodeString(into: &units)
            return UTF16Text.string(units, scratch: &scratch)
        }
        let count = min(records.u16(offset), records.length - offset - 2)
        return book.codePage.decode(records.bytes(offset + 2 ..< offset + 2 + count), lossy: &lossyText)
    }

    /// A NUMBER, RK or numeric FORMULA result of the current record.
    private mutating func number(_ value: Double) throws {
        let (row, column) = try cellStart()
        add(numberText(value, format: records.u16(4), row: row, column: column), row: row, column: column)
    }

    /// A number as the XLSX reader shows it: a date when its format is one, else digits (with a warning when
    /// it looks like a phone number stored as a number).
    private mutating func numberText(_ value: Double, format: Int, row: Int, column: Int) -> String {
        if format < book.dateKinds.count, let kind = book.dateKinds[format],
           let text = CellFormatting.date(serial: value, kind: kind, date1904: book.date1904) {
            return text
        }
        let text = CellFormatting.number(value)
        if CellFormatting.looksLikePhoneNumber(value) { note(CellFormatting.phoneLikeNote(column: column, row: row + 1, shown: text)) }
        return text
    }

    /// An RK number ([MS-XLS] 2.5.217): a 30-bit integer or the top 30 bits of a double, optionally divided by 100.
    static func rk(_ raw: UInt32) -> Double {
        let value = raw & 0x02 != 0 ? Double(Int32(bitPattern: raw) >> 2) : Double(bitPattern: UInt64(raw & 0xFFFF_FFFC) << 32)
        return raw & 0x01 != 0 ? value / 100 : value
    }

    /// The name Excel shows for a BErr error code ([MS-XLS] 2.5.10).
    static func errorName(_ code: Int) -> String {
        switch code {
        case 0x00: return "#NULL!"
        case 0x07: return "#DIV/0!"
        case 0x0F: return "#VALUE!"
        case 0x17: return "#REF!"
        case 0x1D: return "#NAME?"
        case 0x24: return "#NUM!"
        case 0x2A: return "#N/A"
        case 0x2B: return "#GETTING_DATA"
        default: return "code 0x\(String(code, radix: 16, uppercase: true))"
        }
    }

    static func reference(_ row: Int, _ column: Int) -> String { "\(CellFormatting.columnName(column))\(row + 1)" }
}
