import Foundation
import ZIPFoundation

/// Builds small XLSX files from XML strings, as Excel lays them out.
struct XLSXFixture {
    var sheets: [(name: String, xml: String)] = []
    var sharedStrings: [String] = []
    var numberFormats: [(id: Int, code: String)] = []
    /// numFmtId per cell style index.
    var cellFormats: [Int] = [0]
    var date1904 = false
    var compression: CompressionMethod = .deflate
    var extraParts: [(path: String, bytes: Data)] = []

    static func sheetXML(_ rows: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><sheetData>\(rows)</sheetData></worksheet>
        """
    }

    func parts() -> [(String, Data)] {
        var parts: [(String, String)] = []
        let sheetEntries = sheets.enumerated().map { index, sheet in
            "<sheet name=\"\(sheet.name)\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }.joined()
        parts.append(("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr\(date1904 ? " date1904=\"1\"" : "")/><sheets>\(sheetEntries)</sheets></workbook>
            """))
        var rels = sheets.indices.map {
            "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>"
        }
        rels.append("<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>")
        rels.append("<Relationship Id=\"rIdT\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>")
        parts.append(("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(rels.joined())</Relationships>"))
        let items = sharedStrings.map { $0.hasPrefix("<") ? "<si>\($0)</si>" : "<si><t xml:space=\"preserve\">\($0)</t></si>" }.joined()
        parts.append(("xl/sharedStrings.xml", "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"\(sharedStrings.count)\">\(items)</sst>"))
        let formats = numberFormats.map { "<numFmt numFmtId=\"\($0.id)\" formatCode=\"\($0.code)\"/>" }.joined()
        let xfs = cellFormats.map { "<xf numFmtId=\"\($0)\" fontId=\"0\" applyNumberFormat=\"1\"/>" }.joined()
        parts.append(("xl/styles.xml", "<?xml version=\"1.0\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts count=\"\(numberFormats.count)\">\(formats)</numFmts><cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/></cellStyleXfs><cellXfs count=\"\(cellFormats.count)\">\(xfs)</cellXfs></styleSheet>"))
        for (index, sheet) in sheets.enumerated() { parts.append(("xl/worksheets/sheet\(index + 1).xml", sheet.xml)) }
        return parts.map { ($0.0, Data($0.1.utf8)) } + extraParts
    }

    @discardableResult
    func write(to path: String) throws -> String {
        try Self.write(parts(), to: path, compression: compression)
    }

    /// Zips `parts` as they are (any entry names, any layout): for packages Excel would not write.
    @discardableResult
    static func write(_ parts: [(String, Data)], to path: String, compression: CompressionMethod = .deflate) throws -> String {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, data) in parts {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compression) { position, size in
                data.subdata(in: Int(position) ..< Int(position) + size)
            }
        }
        return path
    }
}
