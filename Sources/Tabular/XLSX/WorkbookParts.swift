// Handlers for the small XLSX parts: workbook (sheets, date1904), relationships, styles, shared strings.

/// `xl/workbook.xml`: sheet names with their relationship ids, and the 1904 date system flag.
final class WorkbookHandler: XMLScanHandler {
    var sheets: [(name: String, relationship: String)] = []
    var date1904 = false

    func start(_ tag: XMLTag) throws {
        if tag.isNamed("sheet"), let name = tag.attributeString("name"), let id = tag.attributeString("id") {
            sheets.append((name, id))
        } else if tag.isNamed("workbookPr"), let flag = tag.attributeString("date1904") {
            date1904 = flag == "1" || flag.lowercased() == "true"
        }
    }

    func end(_ name: UnsafeBufferPointer<UInt8>) throws {}
    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool) {}
}

/// `xl/_rels/workbook.xml.rels`: relationship id -> target part, and the shared strings part.
final class RelationshipsHandler: XMLScanHandler {
    var targets: [String: String] = [:]
    var sharedStrings: String?
    var styles: String?

    func start(_ tag: XMLTag) throws {
        guard tag.isNamed("Relationship"), let id = tag.attributeString("Id"), let target = tag.attributeString("Target") else { return }
        let part = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        targets[id] = part
        let type = tag.attributeString("Type") ?? ""
        if type.hasSuffix("/sharedStrings") { sharedStrings = part }
        if type.hasSuffix("/styles") { styles = part }
    }

    func end(_ name: UnsafeBufferPointer<UInt8>) throws {}
    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool) {}
}

/// `xl/styles.xml`: which cell style indexes show dates.
final class StylesHandler: XMLScanHandler {
    private var customFormats: [Int: String] = [:]
    private var formatIds: [Int] = []
    private var inCellXfs = false

    /// Date kind per cell style index (`s` attribute).
    func dateKinds() -> [DateKind?] {
        formatIds.map { id in
            if let code = customFormats[id] { return CellFormatting.customDateKind(code) }
            return CellFormatting.builtinDateKind(id)
        }
    }

    func start(_ tag: XMLTag) throws {
        if tag.isNamed("numFmt"), let id = tag.attributeInt("numFmtId"), let code = tag.attributeString("formatCode") {
            customFormats[id] = code
        } else if tag.isNamed("cellXfs") {
            inCellXfs = !tag.selfClosing
        } else if inCellXfs, tag.isNamed("xf") {
            formatIds.append(tag.attributeInt("numFmtId") ?? 0)
        }
    }

    func end(_ name: UnsafeBufferPointer<UInt8>) throws {
        if XMLTag.localName(name, end: name.count, equals: "cellXfs") { inCellXfs = false }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool) {}
}

/// `xl/sharedStrings.xml`: every `<si>` as one string (rich-text runs joined, phonetic runs skipped).
final class SharedStringsHandler: XMLScanHandler {
    var strings: [String] = []
    private var current: [UInt8] = []
    private var inItem = false
    private var inText = false
    private var inPhonetic = false

    func start(_ tag: XMLTag) throws {
        if tag.isNamed("si") {
            inItem = true
            current.removeAll(keepingCapacity: true)
            if tag.selfClosing { strings.append("") ; inItem = false }
        } else if tag.isNamed("t") {
            inText = inItem && !inPhonetic && !tag.selfClosing
        } else if tag.isNamed("rPh") {
            inPhonetic = !tag.selfClosing
        }
    }

    func end(_ name: UnsafeBufferPointer<UInt8>) throws {
        if XMLTag.localName(name, end: name.count, equals: "t") {
            inText = false
        } else if XMLTag.localName(name, end: name.count, equals: "rPh") {
            inPhonetic = false
        } else if XMLTag.localName(name, end: name.count, equals: "si"), inItem {
            strings.append(String(decoding: current, as: UTF8.self))
            inItem = false
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool) {
        guard inText else { return }
        if cdata { current.append(contentsOf: bytes) } else { XMLText.appendDecoded(bytes, to: &current) }
    }
}
