import Foundation
import Testing
@testable import Tabular

// Workbooks from writers other than Excel (issue 17): each test builds the package the way such a writer lays it out.

/// Small builders for packages laid out by hand.
enum OPCPackage {
    static let types = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    /// A relationships part; `type` is the last segment of the relationship type (`worksheet`, `sharedStrings`...).
    static func rels(_ items: [(id: String, type: String, target: String)], external: [(id: String, target: String)] = []) -> String {
        let entries = items.map { "<Relationship Id=\"\($0.id)\" Type=\"\(types)\($0.type)\" Target=\"\($0.target)\"/>" }
            + external.map { "<Relationship Id=\"\($0.id)\" Type=\"\(types)hyperlink\" Target=\"\($0.target)\" TargetMode=\"External\"/>" }
        return "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(entries.joined())</Relationships>"
    }

    static func workbook(_ sheets: [(name: String, id: String)]) -> String {
        let entries = sheets.enumerated().map { "<sheet name=\"\($1.name)\" sheetId=\"\($0 + 1)\" r:id=\"\($1.id)\"/>" }.joined()
        return "<?xml version=\"1.0\"?><workbook xmlns=\"\(main)\" xmlns:r=\"\(types.dropLast())\"><sheets>\(entries)</sheets></workbook>"
    }

    static func sharedStrings(_ items: [String]) -> String {
        "<?xml version=\"1.0\"?><sst xmlns=\"\(main)\">\(items.map { "<si><t>\($0)</t></si>" }.joined())</sst>"
    }

    static func write(_ parts: [(String, String)], to path: String) throws -> String {
        try XLSXFixture.write(parts.map { ($0.0, Data($0.1.utf8)) }, to: path)
    }

    static func inline(_ reference: String, _ text: String) -> String {
        "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(text)</t></is></c>"
    }
}

@Suite struct XLSXPackagePartsTests {
    @Test func findsTheWorkbookThroughThePackageRelationshipsWithPartsAtTheRoot() throws {
        let dir = try Scratch()
        let path = try OPCPackage.write([
            ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
            ("_rels/.rels", OPCPackage.rels([("rId1", "officeDocument", "workbook.xml")])),
            ("workbook.xml", OPCPackage.workbook([("Contacts", "rId1")])),
            ("_rels/workbook.xml.rels", OPCPackage.rels([("rId1", "worksheet", "sheet1.xml"), ("rId2", "sharedStrings", "strings.xml"), ("rId3", "styles", "look.xml")])),
            ("sheet1.xml", XLSXFixture.sheetXML("""
                <row r="1"><c r="A1" t="s"><v>0</v></c>\(OPCPackage.inline("B1", "Born"))</row>
                <row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>43889</v></c></row>
                """)),
            ("strings.xml", OPCPackage.sharedStrings(["Name", "Ann"])),
            ("look.xml", "<styleSheet xmlns=\"\(OPCPackage.main)\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>"),
        ], to: dir.path("root.xlsx"))
        let reader = try XLSXReader(path: path)
        #expect(reader.sheetNames == ["Contacts"])
        #expect(reader.header == ["Name", "Born"])
        #expect(records(try readAll(reader)) == [["Ann", "2020-02-28"]])
    }

    @Test func resolvesTargetsAgainstTheSourcePartWithDotSegmentsAbsolutePathsAndPercentEncoding() throws {
        let dir = try Scratch()
        let path = try OPCPackage.write([
            ("_rels/.rels", OPCPackage.rels([("rId1", "officeDocument", "/book/Main%20Book.xml")])),
            ("book/Main Book.xml", OPCPackage.workbook([("First", "rId1"), ("Second", "rId2"), ("Third", "rId4")])),
            ("book/_rels/Main Book.xml.rels", OPCPackage.rels([
                ("rId1", "worksheet", "../sheets/sheet%201.xml"),
                ("rId2", "worksheet", "/book/./tabs/../tabs/s2.xml"),
                ("rId3", "sharedStrings", "./text/sst.xml"),
                ("rId4", "worksheet", "../../../sheets/sheet%201.xml"),
            ], external: [("rId5", "http://example.com/sheets/sheet1.xml")])),
            ("sheets/sheet 1.xml", XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>")),
            ("book/tabs/s2.xml", XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c></row>")),
            ("book/text/sst.xml", OPCPackage.sharedStrings(["one", "two"])),
        ], to: dir.path("resolve.xlsx"))
        #expect(try XLSXReader(path: path).header == ["one"])
        #expect(try XLSXReader(path: path, options: ReadOptions(sheet: .name("Second"))).header == ["two"])
        // `..` never climbs above the package root.
        #expect(try XLSXReader(path: path, options: ReadOptions(sheet: .index(3))).header == ["one"])
    }

    @Test func matchesBackslashEntryNamesAndPartNamesOfAnyCase() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.sharedStrings = ["Name", "Ann"]
        book.sheets = [("S", XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c></row>"))]
        let renamed: [String: String] = [
            "xl/workbook.xml": "XL/Workbook.xml",
            "xl/_rels/workbook.xml.rels": "xl\\_rels\\workbook.xml.rels",
            "xl/worksheets/sheet1.xml": "xl\\worksheets\\sheet1.xml",
            "xl/sharedStrings.xml": "xl/SharedStrings.xml",
        ]
        let parts = book.parts().map { (renamed[$0.0] ?? $0.0, $0.1) }
        // Without package relationships (the workbook at its usual place), and with them.
        let bare = try XLSXFixture.write(parts, to: dir.path("bare.xlsx"))
        let related = try XLSXFixture.write(parts + [("_rels/.rels", Data(OPCPackage.rels([("rId1", "officeDocument", "xl/workbook.xml")]).utf8))],
                                            to: dir.path("related.xlsx"))
        for path in [bare, related] {
            let reader = try XLSXReader(path: path)
            #expect(reader.header == ["Name"])
            #expect(records(try readAll(reader)) == [["Ann"]])
        }
    }

    @Test func aMissingPartIsATypedErrorNamingThePart() throws {
        let dir = try Scratch()
        func missing(_ detail: String) -> TabularError { .malformed(path: "", line: nil, detail: "the workbook has no part \(detail); re-save it in Excel") }
        func error(_ parts: [(String, String)], _ name: String) throws -> TabularError? {
            let path = try OPCPackage.write(parts, to: dir.path(name))
            do {
                _ = try readAll(try XLSXReader(path: path))
                return nil
            } catch let error as TabularError {
                guard case let .malformed(_, line, detail) = error else { return error }
                return .malformed(path: "", line: line, detail: detail)
            }
        }
        // The workbook the package relationships name.
        #expect(try error([("_rels/.rels", OPCPackage.rels([("rId1", "officeDocument", "book/main.xml")])),
                           ("xl/workbook.xml", OPCPackage.workbook([("S", "rId1")]))], "workbook.xlsx") == missing("book/main.xml"))
        // The workbook's relationships part, beside it.
        #expect(try error([("_rels/.rels", OPCPackage.rels([("rId1", "officeDocument", "book/main.xml")])),
                           ("book/main.xml", OPCPackage.workbook([("S", "rId1")]))], "rels.xlsx") == missing("book/_rels/main.xml.rels"))
        // A worksheet, found by its relationship.
        #expect(try error([("xl/workbook.xml", OPCPackage.workbook([("S", "rId1")])),
                           ("xl/_rels/workbook.xml.rels", OPCPackage.rels([("rId1", "worksheet", "../sheets/gone.xml")]))], "sheet.xlsx")
            == missing("sheets/gone.xml"))
    }
}

@Suite struct XLSXTextTests {
    /// One row per value: column A holds the cell under test, column B its row's number.
    static func book(shared: [String], cells: [String]) -> XLSXFixture {
        var book = XLSXFixture()
        book.sharedStrings = ["<t>Value</t>"] + shared
        var rows = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>\(OPCPackage.inline("B1", "n"))</row>"
        let all = shared.indices.map { "<c r=\"A%d\" t=\"s\"><v>\($0 + 1)</v></c>" } + cells
        for (index, cell) in all.enumerated() {
            let r = index + 2
            rows += "<row r=\"\(r)\">\(cell.replacingOccurrences(of: "%d", with: "\(r)"))<c r=\"B\(r)\"><v>\(r)</v></c></row>"
        }
        book.sheets = [("S", XLSXFixture.sheetXML(rows))]
        return book
    }

    static func values(_ book: XLSXFixture) throws -> [String] {
        let dir = try Scratch()
        let reader = try XLSXReader(path: book.write(to: dir.path("t.xlsx")))
        return records(try readAll(reader)).map { $0[0] }
    }

    @Test func textRunsAreTrimmedOfXMLWhiteSpaceUnlessSpaceIsPreserved() throws {
        let book = Self.book(shared: [
            "<t>  trimmed value  </t>",
            "<t xml:space=\"preserve\">  kept  </t>",
            "<t> \t\n</t>",
            "<t>&#xA;</t>",
            "<t xml:space=\"preserve\">&#xA;</t>",
            "<r><t xml:space=\"preserve\">Rich </t></r><r><t> text </t></r>",
            "<t>\tinner  space\t</t>",
        ], cells: [
            "<c r=\"A%d\" t=\"inlineStr\"><is><t>  inline  </t></is></c>",
            "<c r=\"A%d\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> x </t></is></c>",
            "<c r=\"A%d\" t=\"inlineStr\"><is><r><t>a </t></r><r><t xml:space=\"preserve\"> b</t></r></is></c>",
        ])
        #expect(try Self.values(book) == ["trimmed value", "  kept  ", "", "", "\n", "Rich text", "inner  space", "inline", " x ", "a b"])
    }

    @Test func xstringEscapesAreDecodedAsECMA376Says() throws {
        let book = Self.book(shared: [
            "a_x000D_b", "_x0041_", "_x005F_x0041_", "_x005f_", "_x00G1_", "_x0041", "_xD83D__xDE00_", "_xD83D_!", "_xDE00_",
            // Escapes are decoded after trimming: an escaped space at an edge is kept.
            "<t>_x0020_a_x0020_</t>",
        ], cells: [
            "<c r=\"A%d\" t=\"inlineStr\"><is><t>x_x0009_y</t></is></c>",
            "<c r=\"A%d\" t=\"str\"><f>A1</f><v>A_x000D_B</v></c>",
        ])
        #expect(try Self.values(book) == ["a\rb", "A", "_x0041_", "_", "_x00G1_", "_x0041", "😀", "\u{FFFD}!", "\u{FFFD}", " a ", "x\ty", "A\rB"])
    }

    @Test func lineEndsAreNormalisedBeforeEntitiesAreDecoded() throws {
        let book = Self.book(shared: ["<t>a\r\nb\rc&#xD;d&#xD;&#xA;e</t>"], cells: [
            "<c r=\"A%d\" t=\"inlineStr\"><is><t xml:space=\"preserve\">x\r\n</t></is></c>",
            "<c r=\"A%d\" t=\"inlineStr\"><is><t><![CDATA[p\r\nq\rr]]></t></is></c>",
        ])
        #expect(try Self.values(book) == ["a\nb\nc\rd\r\ne", "x\n", "p\nq\nr"])
    }

    @Test func aCRLFSplitBetweenTwoPiecesOfALongTextIsOneLineEnd() throws {
        let handler = SheetHandler(sharedStrings: SharedStrings(), dateKinds: [nil], date1904: false, part: "sheet", maxCellBytes: 1 << 20)
        let scanner = XMLByteScanner(handler: handler, part: "sheet")
        let long = String(repeating: "x", count: 70_000)
        // The first chunk ends in the CR of a text run long enough to be handed over before its end.
        for chunk in ["<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\(long)\r", "\ny</t></is></c></row></sheetData></worksheet>"] {
            try Array(chunk.utf8).withUnsafeBytes { try scanner.feed($0) }
        }
        try scanner.finish()
        let value = handler.rows.first?.cells.first?.value ?? ""
        #expect(value.utf8.count == 70_002)
        #expect(value.suffix(3) == "x\ny")
    }
}

@Suite struct XLSXElapsedTimeTests {
    @Test func elapsedTimeFormatsShowDurationsNotDates() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.numberFormats = [(164, "[h]:mm:ss"), (165, "[hh]:mm:ss"), (166, "[mm]:ss"), (167, "[ss]"), (168, "[h]:mm"), (169, "h:mm:ss")]
        book.cellFormats = [0, 164, 165, 166, 167, 168, 169, 46]
        let serial = "10.6320601851852"
        var rows = "<row r=\"1\">\(OPCPackage.inline("A1", "t"))</row>"
        let cells: [(style: Int, value: String)] = (1 ... 7).map { ($0, serial) } + [(2, "0.5"), (1, "0.0416666666666667"), (1, "-0.5")]
        for (index, cell) in cells.enumerated() {
            rows += "<row r=\"\(index + 2)\"><c r=\"A\(index + 2)\" s=\"\(cell.style)\"><v>\(cell.value)</v></c></row>"
        }
        book.sheets = [("S", XLSXFixture.sheetXML(rows))]
        let reader = try XLSXReader(path: book.write(to: dir.path("elapsed.xlsx")))
        #expect(records(try readAll(reader)).map { $0[0] } == [
            "255:10:10", "255:10:10", "15310:10", "918610", "255:10",
            // A time of day, as before: ten days and a time.
            "1900-01-10T15:10:10",
            // Built-in format 46 is [h]:mm:ss.
            "255:10:10",
            "12:00:00", "1:00:00", "-12:00:00",
        ])
        #expect(CellFormatting.customDateKind("[h]:mm:ss") == .elapsed(ElapsedTime(largest: .hours, digits: 1, smallest: .seconds)))
        #expect(CellFormatting.customDateKind("[Red][mm]:ss.00") == .elapsed(ElapsedTime(largest: .minutes, digits: 2, smallest: .seconds)))
        #expect(CellFormatting.customDateKind("[$-409]h:mm AM/PM") == .time)
        #expect(CellFormatting.customDateKind("[>=100][Red]0") == nil)
    }
}

@Suite struct XLSXRowWidthTests {
    @Test func withoutAHeaderColumnsAreAsWideAsTheWidestRow() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        let table = ["A", "B", "C", "D", "E", "F"].map { OPCPackage.inline("\($0)3", $0.lowercased()) }.joined()
        // The dimension is a writer's hint, and here a wrong one.
        book.sheets = [("S", """
            <?xml version="1.0"?><worksheet xmlns="\(OPCPackage.main)"><dimension ref="A1:B2"/><sheetData>\
            <row r="1">\(OPCPackage.inline("A1", "Contacts export"))</row>\
            <row r="3">\(table)</row>\
            <row r="4"><c r="A4"><v>1</v></c><c r="C4"><v>3</v></c></row>\
            <row r="5"><c r="F5"><v>6</v></c></row>\
            </sheetData></worksheet>
            """)]
        let reader = try XLSXReader(path: book.write(to: dir.path("wide.xlsx")), options: ReadOptions(header: false))
        #expect(reader.header == (1 ... 6).map { "column_\($0)" })
        #expect(try readAll(reader) == [
            .record(Record(values: ["Contacts export", "", "", "", "", ""], number: 1, line: 1)),
            .record(Record(values: ["a", "b", "c", "d", "e", "f"], number: 2, line: 3)),
            .record(Record(values: ["1", "", "3", "", "", ""], number: 3, line: 4)),
            .record(Record(values: ["", "", "", "", "", "6"], number: 4, line: 5)),
        ])
        #expect(reader.info.warnings.isEmpty)
    }

    @Test func rowsPassedOverDoNotWidenAHeaderlessTable() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.sheets = [("S", XLSXFixture.sheetXML("""
            <row r="1">\(OPCPackage.inline("A1", "title"))\(OPCPackage.inline("H1", "printed on"))</row>
            <row r="2"><c r="A2"><v>1</v></c></row>
            <row r="3"><c r="A3"><v>1</v></c><c r="B3"><v>2</v></c></row>
            """))]
        var options = ReadOptions(header: false)
        options.skip = 1
        let reader = try XLSXReader(path: book.write(to: dir.path("skip.xlsx")), options: options)
        #expect(reader.header == ["column_1", "column_2"])
        #expect(records(try readAll(reader)) == [["1", ""], ["1", "2"]])
    }

    @Test func aValueRightOfTheHeaderIsAWarningNamingTheCell() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        let header = ["A", "B", "C", "D", "E", "F"].map { OPCPackage.inline("\($0)1", $0.lowercased()) }.joined()
        book.sheets = [("S", XLSXFixture.sheetXML("""
            <row r="1">\(header)</row>
            <row r="7">\(OPCPackage.inline("A7", "Ann"))<c r="G7" s="0"/>\(OPCPackage.inline("H7", "stray"))</row>
            <row r="8">\(OPCPackage.inline("F8", "Bob"))</row>
            """))]
        let reader = try XLSXReader(path: book.write(to: dir.path("right.xlsx")))
        #expect(try readAll(reader) == [
            .record(Record(values: ["Ann", "", "", "", "", ""], number: 1, line: 7,
                           warnings: ["cell H7 is right of the header's last column (F): ignored"])),
            .record(Record(values: ["", "", "", "", "", "Bob"], number: 2, line: 8)),
        ])
        #expect(reader.info.warnings.isEmpty)  // carried by its record, so the summary names the row
    }
}
