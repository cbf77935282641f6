// The worksheet's rows: `<row r>`, `<c r t s>`, `<v>`, `<is><t>`; sparse cells placed by reference.

/// One worksheet row: its number and the non-empty cells as (zero-based column, value).
struct SheetRow {
    var number: Int
    var cells: [(column: Int, value: String)]
}

final class SheetHandler: XMLScanHandler {
    var rows: [SheetRow] = []
    var warnings = WarningLog()
    private let sharedStrings: [String]
    private let dateKinds: [DateKind?]
    private let date1904: Bool

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
    private var inlineBytes: [UInt8] = []

    enum CellType {
        case number, shared, inline, formulaString, boolean, error, isoDate
    }

    init(sharedStrings: [String], dateKinds: [DateKind?], date1904: Bool) {
        self.sharedStrings = sharedStrings
        self.dateKinds = dateKinds
        self.date1904 = date1904
    }

    func start(_ tag: XMLTag) throws {
        switch tag.localNameLength {
        case 1:
            if tag.isNamed("c") { startCell(tag) } else if tag.isNamed("v") { capturing = inCell && !tag.selfClosing; valueBytes.removeAll(keepingCapacity: true) } else if tag.isNamed("t") { capturing = inInline && !inPhonetic && !tag.selfClosing }
        case 2:
            if tag.isNamed("is") { inInline = inCell && !tag.selfClosing; inlineBytes.removeAll(keepingCapacity: true) }
        case 3:
            if tag.isNamed("row") {
                rowNumber = tag.attributeInt("r") ?? rowNumber + 1
                cells.removeAll(keepingCapacity: true)
                column = -1
                inRow = true
                if tag.selfClosing { inRow = false }
            } else if tag.isNamed("rPh") {
                inPhonetic = !tag.selfClosing
            }
        default:
            break
        }
    }

    private func startCell(_ tag: XMLTag) {
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
                var n = 0
                for c in value where c >= 0x30 && c <= 0x39 { n = n &* 10 &+ Int(c - 0x30) }
                styleIndex = n
            default: break
            }
        }
        if let reference, let index = CellFormatting.column(reference) { column = index } else { column += 1 }
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
                if inCell { finishCell() }
                inCell = false
            } else {
                capturing = false
            }
        case 2:
            if XMLTag.localName(name, end: name.count, equals: "is") { inInline = false }
        case 3:
            if XMLTag.localName(name, end: name.count, equals: "row") {
                rows.append(SheetRow(number: rowNumber, cells: cells))
                inRow = false
            } else if XMLTag.localName(name, end: name.count, equals: "rPh") {
                inPhonetic = false
            }
        default:
            break
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool) {
        guard capturing else { return }
        if inInline {
            if cdata { inlineBytes.append(contentsOf: bytes) } else { XMLText.appendDecoded(bytes, to: &inlineBytes) }
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
        switch type {
        case .shared:
            if let index = Int(raw), index >= 0, index < sharedStrings.count {
                value = sharedStrings[index]
            } else {
                value = ""
                warnings.add("cell \(reference) points at shared string \(raw), which does not exist: read as empty", kind: "shared string")
            }
        case .inline:
            value = String(decoding: inlineBytes, as: UTF8.self)
        case .formulaString, .isoDate:
            value = raw
        case .boolean:
            value = raw == "1" ? "TRUE" : (raw == "0" ? "FALSE" : raw)
        case .error:
            value = ""
            warnings.add("cell \(reference) holds the error \(raw): read as empty", kind: "error cell")
        case .number:
            if raw.isEmpty {
                value = ""
            } else if style < dateKinds.count, let kind = dateKinds[style], let serial = Double(raw),
                      let text = CellFormatting.date(serial: serial, kind: kind, date1904: date1904) {
                value = text
            } else {
                value = CellFormatting.number(raw)
                if value.utf8.count >= 9, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    warnings.add("cell \(reference) holds \(raw) as a number: if it is a phone number, format the column as Text (leading zeros and + are lost)",
                                 kind: "phone-like number")
                }
            }
        }
        if !value.isEmpty { cells.append((column, value)) }
    }
}
