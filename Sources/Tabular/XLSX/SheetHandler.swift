// The worksheet's rows: `<row r>`, `<c r t s>`, `<v>`, `<is><t>`; sparse cells placed by reference.

/// One worksheet row: its number, the non-empty cells as (zero-based column, value), and what makes it unreadable.
struct SheetRow {
    var number: Int
    var cells: [(column: Int, value: String)]
    /// Damage found in the row's cells (a missing shared string, a cell past the ceiling); the row is rejected with these.
    var problems: [String] = []
    /// What the row is read with but should be told (an error cell, a phone-like number): the record's warnings.
    var notes: [String] = []
}

final class SheetHandler: XMLScanHandler {
    var rows: [SheetRow] = []
    private let sharedStrings: SharedStrings
    private let dateKinds: [DateKind?]
    private let date1904: Bool
    private let part: String
    private let maxCellBytes: Int
    private var cellTooLong = false
    private var problems: [String] = []
    private var notes: [String] = []

    private var rowNumber = 0
    private var cells: [(column: Int, value: String)] = []
    private var inRow = false
    private var column = -1
    private var type: CellType = .number
    private var style = 0
    private var inCell = false
    private var capturing = false
    private var inInline = false
    private var inPhonetic = false
    private var valueBytes: [UInt8] = []
    /// An inline string's text so far, and the `<t>` run being read (see `CellText.appendRun`).
    private var inlineBytes: [UInt8] = []
    private var inlineRun: [UInt8] = []
    private var preserve = false

    enum CellType {
        case number, shared, inline, formulaString, boolean, error, isoDate
    }

    init(sharedStrings: SharedStrings, dateKinds: [DateKind?], date1904: Bool, part: String, maxCellBytes: Int) {
        self.sharedStrings = sharedStrings
        self.dateKinds = dateKinds
        self.date1904 = date1904
        self.part = part
        self.maxCellBytes = maxCellBytes
    }

    func start(_ tag: XMLTag) throws {
        switch tag.localNameLength {
        case 1:
            if tag.isNamed("c") { try startCell(tag) } else if tag.isNamed("v") { capturing = inCell && !tag.selfClosing; valueBytes.removeAll(keepingCapacity: true) } else if tag.isNamed("t") {
                capturing = inInline && !inPhonetic && !tag.selfClosing
                inlineRun.removeAll(keepingCapacity: true)
                preserve = CellText.preservesSpace(tag)
            }
        case 2:
            if tag.isNamed("is") { inInline = inCell && !tag.selfClosing; inlineBytes.removeAll(keepingCapacity: true) }
        case 3:
            if tag.isNamed("row") {
                if let raw = tag.attribute("r") {
                    guard let number = XMLTag.digits(raw, limit: CellFormatting.maxRows), number >= 1 else {
                        throw XLSXPartError(part: part, detail: "after row \(rowNumber): row number \(Self.show(raw)) is outside 1...\(CellFormatting.maxRows): the file is damaged; re-save it in Excel")
                    }
                    rowNumber = number
                } else {
                    rowNumber += 1
                }
                cells.removeAll(keepingCapacity: true)
                problems.removeAll()
                notes.removeAll()
                column = -1
                inRow = true
                // A cell left open in a damaged row ends with it.
                inCell = false
                capturing = false
                inInline = false
            } else if tag.isNamed("rPh") {
                inPhonetic = !tag.selfClosing
            }
        default:
            break
        }
    }

    /// At most 40 bytes of a raw attribute, for messages.
    private static func show(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: raw.prefix(40)), as: UTF8.self)
        return raw.count > 40 ? "\(text)…" : text
    }

    private func startCell(_ tag: XMLTag) throws {
        guard inRow else {
            throw XLSXPartError(part: part, detail: "after row \(rowNumber): a cell outside any <row>: the file is damaged; re-save it in Excel")
        }
        var reference: UnsafeBufferPointer<UInt8>?
        var typeBytes: UnsafeBufferPointer<UInt8>?
        var styleIndex = 0
        // One pass over the attributes; only the one-letter names r, s and t matter.
        tag.forEachAttribute { name, value in
            guard name.count == 1 else { return }
            switch name[0] {
            case UInt8(ascii: "r"): reference = value
            case UInt8(ascii: "t"): typeBytes = value
            case UInt8(ascii: "s"):
                styleIndex = XMLTag.digits(value, limit: 1 << 20) ?? 0
            default: break
            }
        }
        if let reference, let index = CellFormatting.column(reference) { column = index } else { column += 1 }
        guard column < CellFormatting.maxColumns else {
            let shown = reference.map(Self.show) ?? "number \(column + 1)"
            throw XLSXPartError(part: part, detail: "row \(rowNumber): cell \(shown) is beyond column XFD, the last a worksheet can have: the file is damaged; re-save it in Excel")
        }
        cellTooLong = false
        style = styleIndex
        type = .number
        if let t = typeBytes, let first = t.first {
            switch (first, t.count) {
            case (UInt8(ascii: "s"), 1): type = .shared
            case (UInt8(ascii: "s"), _): type = .formulaString
            case (UInt8(ascii: "i"), _): type = .inline
            case (UInt8(ascii: "b"), _): type = .boolean
            case (UInt8(ascii: "e"), _): type = .error
            case (UInt8(ascii: "d"), _): type = .isoDate
            default: type = .number
            }
        }
        valueBytes.removeAll(keepingCapacity: true)
        inlineBytes.removeAll(keepingCapacity: true)
        inCell = !tag.selfClosing
    }

    func end(_ name: UnsafeBufferPointer<UInt8>) throws {
        var local = 0
        for (i, c) in name.enumerated() where c == UInt8(ascii: ":") { local = i + 1 }
        switch name.count - local {
        case 1:
            if XMLTag.localName(name, end: name.count, equals: "c") {
                if inCell && column >= 0 { finishCell() }
                inCell = false
            } else {
                if capturing, inInline, !cellTooLong, XMLTag.localName(name, end: name.count, equals: "t") {
                    CellText.appendRun(inlineRun, preserve: preserve, to: &inlineBytes)
                }
                capturing = false
            }
        case 2:
            if XMLTag.localName(name, end: name.count, equals: "is") { inInline = false }
        case 3:
            if XMLTag.localName(name, end: name.count, equals: "row") {
                guard inRow else {
                    throw XLSXPartError(part: part, detail: "after row \(rowNumber): a </row> without its <row>: the file is damaged; re-save it in Excel")
                }
                rows.append(SheetRow(number: rowNumber, cells: cells, problems: problems, notes: notes))
                inRow = false
            } else if XMLTag.localName(name, end: name.count, equals: "rPh") {
                inPhonetic = false
            }
        default:
            break
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool) {
        guard capturing, !cellTooLong else { return }
        if (inInline ? inlineBytes.count + inlineRun.count : valueBytes.count) + bytes.count > maxCellBytes {
            cellTooLong = true
            return
        }
        if inInline {
            if cdata { inlineRun.append(contentsOf: bytes) } else { XMLText.appendDecoded(bytes, to: &inlineRun) }
        } else if cdata {
            valueBytes.append(contentsOf: bytes)
        } else {
            XMLText.appendDecoded(bytes, to: &valueBytes)
        }
    }

    private func finishCell() {
        let raw = String(decoding: valueBytes, as: UTF8.self)
        let (column, rowNumber) = (self.column, self.rowNumber)
        var reference: String { "\(CellFormatting.columnName(column))\(rowNumber)" }
        var value: String
        if cellTooLong {
            problems.append("cell \(reference) is longer than the \(ReadOptions.describe(bytes: maxCellBytes)) cell ceiling: check the workbook, or raise max_field_bytes if the value is real")
            return
        }
        switch type {
        case .shared:
            if let index = Int(raw), index >= 0, index < sharedStrings.strings.count {
                value = sharedStrings.strings[index]
                if !sharedStrings.tooLong.isEmpty, sharedStrings.tooLong.contains(index) {
                    problems.append("cell \(reference) holds shared string \(index), which is longer than the \(ReadOptions.describe(bytes: maxCellBytes)) cell ceiling: check the workbook, or raise max_field_bytes if the value is real")
                    return
                }
            } else {
                problems.append("cell \(reference) points at shared string \(raw.prefix(20)), but the workbook has \(sharedStrings.strings.count): the file is damaged; re-save it in Excel")
                return
            }
        case .inline:
            value = String(decoding: inlineBytes, as: UTF8.self)
        case .formulaString:
            // A formula's string result is an ST_Xstring too (the `v` element's type), never trimmed.
            var text: [UInt8] = []
            CellText.appendUnescaped(valueBytes[...], to: &text)
            value = String(decoding: text, as: UTF8.self)
        case .isoDate:
            value = raw
        case .boolean:
            value = raw == "1" ? "TRUE" : (raw == "0" ? "FALSE" : raw)
        case .error:
            value = ""
            notes.append("cell \(reference) holds the error \(raw): read as empty")
        case .number:
            if raw.isEmpty {
                value = ""
            } else if style < dateKinds.count, let kind = dateKinds[style], let serial = Double(raw),
                      let text = CellFormatting.date(serial: serial, kind: kind, date1904: date1904) {
                value = text
            } else {
                value = CellFormatting.number(raw)
                if CellFormatting.looksLikePhoneNumber(value) {
                    notes.append(CellFormatting.phoneLikeNote(column: column, row: rowNumber, shown: raw))
                }
            }
        }
        if !value.isEmpty { cells.append((column, value)) }
    }
}
