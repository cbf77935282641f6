// XLSX worksheets streamed row by row: small parts read once, the sheet inflated on a helper thread
// and tokenized by a byte scanner. Header = first non-empty row; `line` = spreadsheet row number.
import Foundation
import ZIPFoundation

/// Streams one worksheet of an XLSX workbook (the first unless `options.sheet` names another).
public final class XLSXReader: TableReader {
    public var header: [String] { table.header }
    public var info: SourceInfo {
        var result = SourceInfo(path: path, format: .xlsx, sheets: sheetNames)
        result.warnings = warnings.all
        if emptyRows > 0 { result.warnings.append("skipped \(emptyRows) empty row(s)") }
        return result
    }

    /// Sheet names in workbook order.
    public let sheetNames: [String]
    private let path: String
    private let scanner: XMLByteScanner<SheetHandler>
    private let stream: ZipEntryStream
    private var warnings = WarningLog()
    private var rowIndex = 0
    private var exhausted = false
    private var table: SheetTable
    private var emptyRows = 0

    /// Opens `path`; `limits` guard against zip bombs.
    public init(path: String, options: ReadOptions = ReadOptions(), limits: ZipLimits = ZipLimits()) throws {
        self.path = path
        table = SheetTable(path: path, numbered: !options.header)
        let numbered = !options.header
        let head = try FileInput(path: path).peek(count: 8)
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            // A compound file: a legacy .xls (which Tables.open reads), or an encrypted package.
            if options.format == .xlsx {
                throw TabularError.badOption(path: path, option: "format", detail: "this is a compound (OLE2) file, not XLSX: an Excel 97-2003 "
                                             + "workbook or a password-protected one; leave format out (or use format = \"xls\")")
            }
            throw TabularError.legacyWorkbook(path: path, encrypted: true)
        }
        let url = URL(fileURLWithPath: path)
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw TabularError.malformed(path: path, line: nil, detail: "not a readable ZIP/XLSX file (\(error)); re-save it as XLSX or CSV")
        }
        if archive["EncryptedPackage"] != nil {
            throw TabularError.legacyWorkbook(path: path, encrypted: true)
        }
        // Parts are found as OPC intends: the package relationships name the workbook, the workbook's
        // relationships name its sheets, shared strings and styles; zip entries are matched by part name.
        let parts = PackageIndex(archive)
        func parse<H: XMLScanHandler>(_ part: String, _ handler: H, required: Bool) throws -> H {
            guard let entry = parts[part] else {
                if required { throw TabularError.malformed(path: path, line: nil, detail: "the workbook has no part \(part); re-save it in Excel") }
                return handler
            }
            let scanner = XMLByteScanner(handler: handler, part: part)
            try ZipEntries.extract(archive, entry: entry, limits: limits, path: path) { try scanner.feed($0) }
            do { try scanner.finish() } catch let error as XLSXPartError {
                throw TabularError.malformed(path: path, line: nil, detail: "\(error.part): \(error.detail)")
            }
            return handler
        }
        let package = try parse(PackagePart.packageRelationships, RelationshipsHandler(source: ""), required: false)
        let workbookPart = package.officeDocument ?? PackagePart.defaultWorkbook
        let workbook = try parse(workbookPart, WorkbookHandler(), required: true)
        let relationships = try parse(PackagePart.relationshipsPart(of: workbookPart), RelationshipsHandler(source: workbookPart), required: true)
        sheetNames = workbook.sheets.map(\.name)
        let chosen: (name: String, relationship: String)
        switch options.sheet {
        case nil:
            guard let first = workbook.sheets.first else {
                throw TabularError.sheetNotFound(path: path, sheet: "1", available: [])
            }
            chosen = first
        case let .index(n):
            guard n >= 1, n <= workbook.sheets.count else {
                throw TabularError.sheetNotFound(path: path, sheet: "\(n)", available: sheetNames)
            }
            chosen = workbook.sheets[n - 1]
        case let .name(name):
            guard let match = workbook.sheets.first(where: { $0.name == name })
                ?? workbook.sheets.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw TabularError.sheetNotFound(path: path, sheet: "\"\(name)\"", available: sheetNames)
            }
            chosen = match
        }
        guard let sheetPart = relationships.targets[chosen.relationship] else {
            throw TabularError.malformed(path: path, line: nil, detail: "sheet \"\(chosen.name)\" has no worksheet part; re-save the workbook")
        }
        // Without a typed relationship, the names Excel uses, beside the workbook. Both are optional: a workbook
        // of numbers has no shared strings (a cell that points at a missing one rejects its row).
        let folder = PackagePart.directory(of: workbookPart)
        let strings = try parse(relationships.sharedStrings ?? folder + "sharedStrings.xml", SharedStringsHandler(maxBytes: options.maxFieldBytes), required: false).table
        let styles = try parse(relationships.styles ?? folder + "styles.xml", StylesHandler(), required: false)
        guard let sheetEntry = parts[sheetPart] else {
            throw TabularError.malformed(path: path, line: nil, detail: "the workbook has no part \(sheetPart); re-save it in Excel")
        }
        try ZipEntries.check(sheetEntry, limits: limits, path: path)
        let dateKinds = styles.dateKinds()
        func sheetHandler() -> SheetHandler {
            SheetHandler(sharedStrings: strings, dateKinds: dateKinds, date1904: workbook.date1904, part: sheetPart, maxCellBytes: options.maxFieldBytes)
        }
        // Without a header the columns are as wide as the widest row, which must be known before the first
        // record: one streamed pass over the sheet finds it (the <dimension> element is only a writer's hint).
        let widest = numbered ? try Self.widestRow(archive: archive, entry: sheetEntry, handler: sheetHandler(), part: sheetPart,
                                                   options: options, limits: limits, path: path) : 0
        scanner = XMLByteScanner(handler: sheetHandler(), part: sheetPart, maxHeldBytes: options.maxFieldBytes)
        stream = ZipEntryStream(url: url, entryPath: sheetEntry.path, limits: limits, path: path)
        try table.readHeader(skip: options.skip, at: options.headerRow, widest: widest, warnings: &warnings, nextRow: nextRow)
    }

    /// The number of columns up to the rightmost cell with a value in any row read as a record (rows passed over
    /// by `skip` or above `header = N` do not count). Rows are dropped as they are counted, so memory stays bounded.
    /// Damage in the sheet ends the count quietly: the reading pass reports it at its row, as with a header.
    private static func widestRow(archive: Archive, entry: Entry, handler: SheetHandler, part: String,
                                  options: ReadOptions, limits: ZipLimits, path: String) throws -> Int {
        let scanner = XMLByteScanner(handler: handler, part: part, maxHeldBytes: options.maxFieldBytes)
        var widest = WidestRow(options)
        var damaged = false
        func count() {
            for row in handler.rows { widest.add(row) }
            handler.rows.removeAll(keepingCapacity: true)
        }
        try ZipEntries.extract(archive, entry: entry, limits: limits, path: path) { chunk in
            guard !damaged else { return }
            do { try scanner.feed(chunk) } catch is XLSXPartError { damaged = true }
            count()
        }
        if !damaged {
            do { try scanner.finish() } catch is XLSXPartError {}
            count()
        }
        return widest.width
    }

    /// The next worksheet row with at least one value.
    private func nextRow() throws -> SheetRow? {
        while true {
            let handler = scanner.handler
            if rowIndex < handler.rows.count {
                let row = handler.rows[rowIndex]
                rowIndex += 1
                if row.cells.isEmpty && row.problems.isEmpty { emptyRows += 1; continue }
                return row
            }
            handler.rows.removeAll(keepingCapacity: true)
            rowIndex = 0
            if exhausted { return nil }
            guard let chunk = try stream.next() else {
                exhausted = true
                do { try scanner.finish() } catch let error as XLSXPartError {
                    throw TabularError.malformed(path: path, line: nil, detail: "\(error.part): \(error.detail)")
                }
                continue
            }
            do {
                try chunk.withUnsafeBytes { try scanner.feed($0) }
            } catch let error as XLSXPartError {
                throw TabularError.malformed(path: path, line: nil, detail: "\(error.part): \(error.detail)")
            }
        }
    }

    public func next() throws -> ReadEvent? {
        try table.next(nextRow)
    }
}
