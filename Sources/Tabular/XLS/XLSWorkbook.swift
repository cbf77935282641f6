// The workbook globals substream ([MS-XLS] 2.1.7.20): BIFF version, sheets, date system, code page, number
// formats and cell formats (for dates), and the shared strings of BIFF8.

/// What the globals of a BIFF5 or BIFF8 workbook stream say.
struct XLSWorkbook {
    enum Version {
        /// Excel 5.0 and 95 (BIFF5/BIFF7): 8-bit text in the workbook's code page, no shared strings.
        case biff5
        /// Excel 97 to 2003: UTF-16 or compressed Latin-1 text, shared strings.
        case biff8
    }

    /// What a BOUNDSHEET record says a sheet is; only worksheets have cells to read.
    enum SheetKind: Equatable {
        case worksheet, macroSheet, chart, module
        case other(Int)

        /// The marker after the name in `SourceInfo.sheets` ("Chart1 (chart)"); nil for worksheets.
        var marker: String? {
            switch self {
            case .worksheet: return nil
            case .macroSheet: return "macro sheet"
            case .chart: return "chart"
            case .module: return "VBA module"
            case let .other(type): return "sheet of type \(type)"
            }
        }
    }

    struct Sheet {
        var name: String
        var kind: SheetKind
        /// Stream offset of the sheet's BOF record.
        var offset: Int
        /// The name as `SourceInfo.sheets` lists it: marked when the sheet has no cells.
        var listed: String { kind.marker.map { "\(name) (\($0))" } ?? name }
    }

    var version = Version.biff8
    var sheets: [Sheet] = []
    var date1904 = false
    /// The code page of BIFF5 text (BIFF8 text is Unicode).
    var codePage = CodePage.windows1252
    /// Date kind per cell format (XF) index, as cells refer to them.
    var dateKinds: [DateKind?] = []
    var strings = SharedStrings()
    /// What the reader should tell about the workbook as a whole.
    var warnings: [String] = []

    /// Reads the globals from the start of `records` up to their EOF record.
    init(records: BIFFRecords, path: String, maxCellBytes: Int) throws {
        func damaged(_ detail: String) -> TabularError {
            .malformed(path: path, line: nil, detail: "\(detail): the file is damaged; open it in Excel and save it again")
        }
        guard try records.next() else { throw damaged("the \(records.stream.name) stream is empty") }
        if BIFFType.olderBOFs.contains(records.type) { throw TabularError.legacyWorkbook(path: path, encrypted: false) }
        guard records.type == BIFFType.bof, records.length >= 4 else {
            throw damaged("the \(records.stream.name) stream does not start with a BOF record")
        }
        switch records.u16(0) {
        case 0x0600: version = .biff8
        case 0x0500: version = .biff5
        default: version = records.length >= 16 ? .biff8 : .biff5
        }
        guard records.u16(2) == 0x0005 else {
            throw damaged("the \(records.stream.name) stream does not start with the workbook globals (its BOF is of type 0x\(String(records.u16(2), radix: 16)))")
        }
        var rawNames: [(bytes: [UInt8], kind: SheetKind, offset: Int)] = []
        var rawFormats: [(id: Int, bytes: [UInt8])] = []
        var formats: [Int: String] = [:]
        var formatIds: [Int] = []
        var codePageNumber: Int?
        var units: [UInt16] = []
        var scratch: [UInt8] = []
        reading: while try records.next() {
            switch records.type {
            case BIFFType.eof:
                break reading
            case BIFFType.filePass:
                throw TabularError.legacyWorkbook(path: path, encrypted: true)
            case BIFFType.codePage where records.length >= 2:
                codePageNumber = records.u16(0)
            case BIFFType.dateMode where records.length >= 2:
                date1904 = records.u16(0) == 1
            case BIFFType.boundSheet:
                guard records.length >= 7 else { throw records.tooShort("BOUNDSHEET", needs: 7) }
                let offset = Int(records.u32(0))
                let kind: SheetKind
                switch records.u8(5) {
                case 0: kind = .worksheet
                case 1: kind = .macroSheet
                case 2: kind = .chart
                case 6: kind = .module
                case let other: kind = .other(other)
                }
                if version == .biff8 {
                    var body = ContinuedBody(records, from: 6)
                    guard try body.unicodeString(shortCount: true, into: &units) else { throw records.tooShort("BOUNDSHEET", needs: records.length + 1) }
                    sheets.append(Sheet(name: UTF16Text.string(units, scratch: &scratch), kind: kind, offset: offset))
                } else {
                    let count = min(records.u8(6), records.length - 7)
                    rawNames.append((records.bytes(7 ..< 7 + count), kind, offset))
                }
            case BIFFType.format:
                guard records.length >= 3 else { throw records.tooShort("FORMAT", needs: 3) }
                let id = records.u16(0)
                if version == .biff8 {
                    var body = ContinuedBody(records, from: 2)
                    guard try body.unicodeString(into: &units) else { throw records.tooShort("FORMAT", needs: records.length + 1) }
                    formats[id] = UTF16Text.string(units, scratch: &scratch)
                } else {
                    let count = min(records.u8(2), records.length - 3)
                    rawFormats.append((id, records.bytes(3 ..< 3 + count)))
                }
            case BIFFType.xf:
                guard records.length >= 4 else { throw records.tooShort("XF", needs: 4) }
                formatIds.append(records.u16(2))
            case BIFFType.sst where version == .biff8:
                try readSharedStrings(records, maxCellBytes: maxCellBytes)
            default:
                continue
            }
        }
        if version == .biff5 {
            if let number = codePageNumber, number != 1200 {
                guard let page = CodePage(number) else {
                    throw TabularError.unsupported(path: path, detail: "the workbook's text is in code page \(number), which Roster cannot decode (it reads \(CodePage.supported.map(String.init).joined(separator: ", "))): open it in Excel and save it as .xlsx, or as Excel 97-2003 (.xls)")
                }
                codePage = page
            }
            var lossy = false
            sheets = rawNames.map { Sheet(name: codePage.decode($0.bytes, lossy: &lossy), kind: $0.kind, offset: $0.offset) }
            for (id, bytes) in rawFormats { formats[id] = codePage.decode(bytes, lossy: &lossy) }
            if lossy { warnings.append("some sheet names or number formats are not valid text in code page \(codePage.number): the bytes were replaced by U+FFFD") }
        }
        dateKinds = formatIds.map { id in
            if let code = formats[id] { return CellFormatting.customDateKind(code) }
            return CellFormatting.builtinDateKind(id)
        }
    }

    /// The SST record and its CONTINUE records: a count of strings and the strings. The declared counts are
    /// hints: reading stops at the declared number or where the data ends, whichever comes first.
    private mutating func readSharedStrings(_ records: BIFFRecords, maxCellBytes: Int) throws {
        guard records.length >= 8 else { throw records.tooShort("SST", needs: 8) }
        let declared = Int(records.u32(4))
        var body = ContinuedBody(records, from: 8)
        var units: [UInt16] = []
        var scratch: [UInt8] = []
        var table = SharedStrings()
        while table.strings.count < declared, try body.unicodeString(into: &units) {
            let text = UTF16Text.string(units, scratch: &scratch)
            if text.utf8.count > maxCellBytes {
                table.tooLong.insert(table.strings.count)
                table.strings.append("")
            } else {
                table.strings.append(text)
            }
        }
        if table.strings.count < declared {
            warnings.append("the shared-string table declares \(declared) strings but holds \(table.strings.count): cells that point past them are rejected")
        }
        strings = table
    }
}
