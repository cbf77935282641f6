// XLSX output: one worksheet of text cells, streamed to a temporary part and zipped on `finish`.
import Foundation
import ZIPFoundation

/// Writes a workbook Excel, LibreOffice and openpyxl open: one sheet, a bold frozen header, every
/// value an inline string (a phone number or an ID is never turned into a number). A value a cell
/// cannot hold (over 32,767 characters) or a sheet past Excel's limits is an error naming the row.
public final class XLSXWriter: TableWriter {
    private let path: String
    private let sheetPath: String
    private let sheet: ByteOutput
    private let options: WriteOptions
    private var header: [String] = []
    private var width: Int?
    private var rows = 0
    private var sheetRow = 0
    private var finished = false
    private var columnNames: [String] = []

    static let maxRows = 1_048_576
    static let maxColumns = 16_384
    static let maxCellCharacters = 32_767

    /// Creates the writer; nothing appears at `path` until `finish`.
    public init(path: String, options: WriteOptions = WriteOptions()) throws {
        self.path = path
        self.options = options
        sheetPath = path + ".sheet-\(getpid()).xml"
        sheet = try ByteOutput(path: sheetPath)
        chmod(sheetPath, 0o600)
        sheet.append("""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
            """)
    }

    deinit { if !finished { unlink(sheetPath) } }

    public func writeHeader(_ header: [String]) throws {
        guard width == nil else { throw TabularError.writerMisuse(path: path, row: nil, detail: "the header was already written") }
        guard header.count <= Self.maxColumns else {
            throw TabularError.unsupported(path: path, detail: "\(header.count) columns: a worksheet holds at most \(Self.maxColumns)")
        }
        width = header.count
        self.header = header
        columnNames = (0 ..< header.count).map(CellFormatting.columnName)
        if options.header {
            sheet.append(#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#)
        }
        sheet.append("<sheetData>")
        if options.header { try writeCells(header, row: 0, style: 1) }
    }

    public func writeRow(_ values: [String]) throws {
        guard let width else { throw TabularError.writerMisuse(path: path, row: rows + 1, detail: "write the header before rows") }
        guard values.count == width else {
            throw TabularError.writerMisuse(path: path, row: rows + 1,
                                            detail: "row has \(values.count) values, the header has \(width): align values with the header")
        }
        try writeCells(values, row: rows + 1, style: 0)
        rows += 1
    }

    private func writeCells(_ values: [String], row: Int, style: Int) throws {
        guard sheetRow < Self.maxRows else {
            throw TabularError.unwritable(path: path, row: row, column: header.first ?? "1",
                                          detail: "a worksheet holds at most \(Self.maxRows) rows: write CSV, or split the rows")
        }
        sheetRow += 1
        let r = String(sheetRow)
        sheet.append("<row r=\"\(r)\">")
        for (index, value) in values.enumerated() where !value.isEmpty {
            guard value.utf16.count <= Self.maxCellCharacters else {
                throw TabularError.unwritable(path: path, row: row, column: header[index],
                                              detail: "\(value.utf16.count) characters: an Excel cell holds at most \(Self.maxCellCharacters); write CSV to keep it whole")
            }
            sheet.append("<c r=\"\(columnNames[index])\(r)\" t=\"inlineStr\"\(style > 0 ? " s=\"\(style)\"" : "")><is><t xml:space=\"preserve\">")
            sheet.appendBytes(Self.escaped(value))
            sheet.append("</t></is></c>")
        }
        sheet.append("</row>")
        try sheet.rowDone()
    }

    /// Text for `<t>`: XML's five specials escaped, characters XML 1.0 cannot carry written as
    /// `_xHHHH_` (ECMA-376 ST_Xstring), and an underscore that would read as such an escape escaped itself.
    static func escaped(_ value: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 8)
        let utf8 = Array(value.utf8)
        var i = 0
        while i < utf8.count {
            let c = utf8[i]
            switch c {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case 0x09, 0x0A: out.append(c)
            case 0x0D: out += Array("&#13;".utf8)
            case 0x00 ..< 0x20: out += Array(String(format: "_x%04X_", c).utf8)
            case UInt8(ascii: "_") where looksLikeEscape(utf8, at: i): out += Array("_x005F_".utf8)
            case 0xEF where i + 2 < utf8.count && utf8[i + 1] == 0xBF && (utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF):
                out += Array((utf8[i + 2] == 0xBE ? "_xFFFE_" : "_xFFFF_").utf8)  // U+FFFE, U+FFFF: not XML characters
                i += 2
            default: out.append(c)
            }
            i += 1
        }
        return out
    }

    /// `_xHHHH_` at `i`: what a reader would decode.
    private static func looksLikeEscape(_ bytes: [UInt8], at i: Int) -> Bool {
        guard i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"), bytes[i + 6] == UInt8(ascii: "_") else { return false }
        return bytes[i + 2 ... i + 5].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
    }

    public func finish() throws -> WriteSummary {
        guard !finished else { return WriteSummary(path: path, rows: rows, bytes: Self.size(of: path)) }
        if width == nil { try writeHeader([]) }
        sheet.append("</sheetData></worksheet>")
        try sheet.close()
        finished = true
        defer { unlink(sheetPath) }
        unlink(path)
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create) } catch {
            throw TabularError.io(path: path, operation: "create", errno: errno)
        }
        do {
            for (name, text) in Self.packageParts(sheetName: "Sheet1") {
                let data = Data(text.utf8)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position) ..< Int(position) + size)
                }
            }
            guard let handle = FileHandle(forReadingAtPath: sheetPath) else {
                throw TabularError.io(path: sheetPath, operation: "read", errno: errno)
            }
            defer { try? handle.close() }
            try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(sheet.totalBytes),
                                 compressionMethod: .deflate, bufferSize: 256 * 1024) { position, size in
                try handle.seek(toOffset: UInt64(position))
                return try handle.read(upToCount: size) ?? Data()
            }
        } catch let error as TabularError {
            unlink(path)
            throw error
        } catch {
            unlink(path)
            throw TabularError.unsupported(path: path, detail: "cannot write the workbook: \(error)")
        }
        return WriteSummary(path: path, rows: rows, bytes: Self.size(of: path))
    }

    private static func size(of path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The package around the sheet (Open Packaging Conventions): content types, relationships, workbook, styles.
    static func packageParts(sheetName: String) -> [(String, String)] {
        let head = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        let ns = "http://schemas.openxmlformats.org"
        return [
            ("[Content_Types].xml", head + """
                <Types xmlns="\(ns)/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
                <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
                <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
                """),
            ("_rels/.rels", head + """
                <Relationships xmlns="\(ns)/package/2006/relationships"><Relationship Id="rId1" \
                Type="\(ns)/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
                """),
            ("xl/workbook.xml", head + """
                <workbook xmlns="\(ns)/spreadsheetml/2006/main" xmlns:r="\(ns)/officeDocument/2006/relationships">\
                <sheets><sheet name="\(sheetName)" sheetId="1" r:id="rId1"/></sheets></workbook>
                """),
            ("xl/_rels/workbook.xml.rels", head + """
                <Relationships xmlns="\(ns)/package/2006/relationships">\
                <Relationship Id="rId1" Type="\(ns)/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
                <Relationship Id="rId2" Type="\(ns)/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>
                """),
            ("xl/styles.xml", head + """
                <styleSheet xmlns="\(ns)/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
                <font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>\
                <fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
                <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
                <cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
                <xf numFmtId="49" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/></cellXfs>\
                <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
                """),
        ]
    }
}
