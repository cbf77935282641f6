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

/// A relationships part (`_rels/.rels`, `xl/_rels/workbook.xml.rels`): relationship id -> target part, resolved
/// against the source part's folder, and the first target of each type the reader needs. External targets are skipped.
final class RelationshipsHandler: XMLScanHandler {
    /// The part whose relationships these are (`""` for the package itself).
    private let source: String
    var targets: [String: String] = [:]
    var officeDocument: String?
    var sharedStrings: String?
    var styles: String?

    init(source: String) {
        self.source = source
    }

    func start(_ tag: XMLTag) throws {
        guard tag.isNamed("Relationship"), let id = tag.attributeString("Id"), let target = tag.attributeString("Target") else { return }
        if tag.attributeString("TargetMode") == "External" { return }
        let part = PackagePart.resolve(target, from: source)
        targets[id] = part
        // Transitional (schemas.openxmlformats.org) and Strict (purl.oclc.org) types end alike.
        let type = tag.attributeString("Type") ?? ""
        if type.hasSuffix("/officeDocument"), officeDocument == nil { officeDocument = part }
        if type.hasSuffix("/sharedStrings"), sharedStrings == nil { sharedStrings = part }
        if type.hasSuffix("/styles"), styles == nil { styles = part }
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

/// The workbook's shared strings, and which of them passed the cell ceiling (kept empty; a cell using one is rejected).
struct SharedStrings {
    var strings: [String] = []
    var tooLong: Set<Int> = []
}

/// `xl/sharedStrings.xml`: every `<si>` as one string (rich-text runs joined, phonetic runs skipped), each
/// `<t>` run read as `CellText.appendRun` says.
final class SharedStringsHandler: XMLScanHandler {
    var table = SharedStrings()
    var strings: [String] { table.strings }
    private let maxBytes: Int
    private var overflow = false
    private var current: [UInt8] = []
    private var run: [UInt8] = []
    private var preserve = false
    private var inItem = false
    private var inText = false
    private var inPhonetic = false

    init(maxBytes: Int = ReadOptions.defaultMaxFieldBytes) {
        self.maxBytes = maxBytes
    }

    func start(_ tag: XMLTag) throws {
        if tag.isNamed("si") {
            inItem = true
            overflow = false
            current.removeAll(keepingCapacity: true)
            if tag.selfClosing { table.strings.append(""); inItem = false }
        } else if tag.isNamed("t") {
            inText = inItem && !inPhonetic && !tag.selfClosing
            run.removeAll(keepingCapacity: true)
            preserve = CellText.preservesSpace(tag)
        } else if tag.isNamed("rPh") {
            inPhonetic = !tag.selfClosing
        }
    }

    func end(_ name: UnsafeBufferPointer<UInt8>) throws {
        if XMLTag.localName(name, end: name.count, equals: "t") {
            if inText, !overflow { CellText.appendRun(run, preserve: preserve, to: &current) }
            inText = false
        } else if XMLTag.localName(name, end: name.count, equals: "rPh") {
            inPhonetic = false
        } else if XMLTag.localName(name, end: name.count, equals: "si"), inItem {
            if overflow { table.tooLong.insert(table.strings.count) }
            table.strings.append(overflow ? "" : String(decoding: current, as: UTF8.self))
            inItem = false
        }
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>, cdata: Bool) {
        guard inText, !overflow else { return }
        if current.count + run.count + bytes.count > maxBytes {
            overflow = true
            current.removeAll()
            run.removeAll()
            return
        }
        if cdata { run.append(contentsOf: bytes) } else { XMLText.appendDecoded(bytes, to: &run) }
    }
}
