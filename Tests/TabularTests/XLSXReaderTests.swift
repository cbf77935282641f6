import Foundation
import Testing
@testable import Tabular

@Suite struct XLSXReaderTests {
    static func basic() -> XLSXFixture {
        var book = XLSXFixture()
        book.sharedStrings = ["Name", "Phone", "Active", "Note", "Ann", "<r><t xml:space=\"preserve\">Rich </t></r><r><t>text</t></r><rPh><t>ふりがな</t></rPh>"]
        book.sheets = [("Contacts", XLSXFixture.sheetXML("""
            <row r="1" spans="1:4" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
            <row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2"><v>14076341732</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" t="inlineStr"><is><t>a &amp; b</t></is></c></row>
            <row r="4"><c r="B4"><v>1.4076341732E10</v></c><c r="C4" t="b"><v>0</v></c><c r="D4" t="e"><v>#N/A</v></c></row>
            <row r="5"><c r="A5" t="s"><v>5</v></c><c r="C5"><v>0.1</v></c><c r="D5" t="str"><f>A1</f><v>Name</v></c></row>
            <row r="6"><c r="A6" s="0"/><c r="D6"><v>-2.5</v></c></row>
            """))]
        return book
    }

    @Test func readsSharedInlineBooleanErrorAndSparseCells() throws {
        let dir = try Scratch()
        let path = try Self.basic().write(to: dir.path("basic.xlsx"))
        let reader = try Tables.open(path: path)
        #expect(reader.info.format == .xlsx)
        #expect(reader.info.sheets == ["Contacts"])
        #expect(reader.header == ["Name", "Phone", "Active", "Note"])
        let events = try readAll(reader)
        let phone = "as a number: if it is a phone number, format the column as Text (leading zeros and + are lost)"
        #expect(events == [
            .record(Record(values: ["Ann", "14076341732", "TRUE", "a & b"], number: 1, line: 2, warnings: ["cell B2 holds 14076341732 \(phone)"])),
            .record(Record(values: ["", "14076341732", "FALSE", ""], number: 2, line: 4,
                           warnings: ["cell B4 holds 1.4076341732E10 \(phone)", "cell D4 holds the error #N/A: read as empty"])),
            .record(Record(values: ["Rich text", "", "0.1", "Name"], number: 3, line: 5)),
            .record(Record(values: ["", "", "", "-2.5"], number: 4, line: 6)),
        ])
    }

    @Test func convertsDateFormattedCellsToISO8601() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.numberFormats = [(164, "yyyy\\-mm\\-dd"), (165, "\"Day\" 0.00"), (166, "[$-409]d/m/yy\\ h:mm;@")]
        book.cellFormats = [0, 14, 22, 164, 165, 166, 20]
        book.sheets = [("S", XLSXFixture.sheetXML("""
            <row r="1"><c r="A1" t="inlineStr"><is><t>d</t></is></c></row>
            <row r="2"><c r="A2" s="1"><v>43889</v></c></row>
            <row r="3"><c r="A3" s="2"><v>43889.572916666664</v></c></row>
            <row r="4"><c r="A4" s="3"><v>1</v></c></row>
            <row r="5"><c r="A5" s="4"><v>43889</v></c></row>
            <row r="6"><c r="A6" s="5"><v>61.5</v></c></row>
            <row r="7"><c r="A7" s="6"><v>0.75</v></c></row>
            <row r="8"><c r="A8" s="1"><v>43889.5</v></c></row>
            """))]
        let reader = try XLSXReader(path: book.write(to: dir.path("d.xlsx")))
        #expect(records(try readAll(reader)) == [["2020-02-28"], ["2020-02-28T13:45:00"], ["1900-01-01"], ["43889"],
                                                 ["1900-03-01T12:00:00"], ["18:00:00"], ["2020-02-28T12:00:00"]])
    }

    @Test func respectsThe1904DateSystem() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.date1904 = true
        book.cellFormats = [0, 14]
        book.sheets = [("S", XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>d</t></is></c></row><row r=\"2\"><c r=\"A2\" s=\"1\"><v>42427</v></c></row>"))]
        let reader = try XLSXReader(path: book.write(to: dir.path("d1904.xlsx")))
        #expect(records(try readAll(reader)) == [["2020-02-28"]])
    }

    @Test func selectsSheetByIndexOrNameAndNamesMissingOnes() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.sheets = [("First", XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>one</t></is></c></row>")),
                       ("Second", XLSXFixture.sheetXML("<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>two</t></is></c></row><row r=\"4\"><c r=\"B4\"><v>2</v></c></row>"))]
        let path = try book.write(to: dir.path("s.xlsx"))
        #expect(try XLSXReader(path: path).header == ["one"])
        let second = try XLSXReader(path: path, options: ReadOptions(sheet: .index(2)))
        #expect(second.header == ["column_1", "two"])
        #expect(try readAll(second) == [.record(Record(values: ["", "2"], number: 1, line: 4))])
        #expect(try XLSXReader(path: path, options: ReadOptions(sheet: .name("second"))).header == ["column_1", "two"])
        #expect(throws: TabularError.sheetNotFound(path: path, sheet: "\"Third\"", available: ["First", "Second"])) {
            try XLSXReader(path: path, options: ReadOptions(sheet: .name("Third")))
        }
    }

    @Test func keepsARowWithAValueBeyondTheHeaderAndWarnsOnIt() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.sheets = [("S", XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c></row><row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"C2\"><v>3</v></c></row>"))]
        let reader = try XLSXReader(path: book.write(to: dir.path("b.xlsx")))
        #expect(try readAll(reader) == [.record(Record(values: ["1"], number: 1, line: 2,
                                                       warnings: ["cell C2 is right of the header's last column (A): ignored"]))])
    }

    @Test func refusesZipBombs() throws {
        let dir = try Scratch()
        var book = Self.basic()
        book.sheets[0].xml = XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + String(repeating: " ", count: 3_000_000))
        let path = try book.write(to: dir.path("bomb.xlsx"))
        #expect(throws: TabularError.self) {
            try XLSXReader(path: path, limits: ZipLimits(maxEntryBytes: 1 << 30, maxRatio: 100, ratioFloorBytes: 1 << 20))
        }
        #expect(throws: TabularError.self) {
            try XLSXReader(path: path, limits: ZipLimits(maxEntryBytes: 1 << 20))
        }
        // Default limits accept it: a ratio above 200 is refused only above 16 MiB.
        #expect(try XLSXReader(path: path).header == ["1"])
    }

    @Test func detectsCorruptionByCRC() throws {
        let dir = try Scratch()
        var book = Self.basic()
        book.compression = .none
        book.sheets[0].xml = XLSXFixture.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>MARKER</t></is></c></row>")
        let path = try book.write(to: dir.path("crc.xlsx"))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let marker = Array("MARKER".utf8)
        guard let at = (0 ... bytes.count - marker.count).first(where: { Array(bytes[$0 ..< $0 + marker.count]) == marker }) else {
            Issue.record("marker not found")
            return
        }
        bytes[at] = UInt8(ascii: "W")
        try dir.write("crc.xlsx", bytes: bytes)
        do {
            let reader = try XLSXReader(path: path)
            _ = try readAll(reader)
            Issue.record("expected a CRC error")
        } catch let error as TabularError {
            #expect(error == .checksumMismatch(path: path, entry: "xl/worksheets/sheet1.xml"))
        }
    }

    @Test func refusesOLE2FilesNamingEncryption() throws {
        let dir = try Scratch()
        let magic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        let encrypted = magic + "EncryptionInfo".utf8.flatMap { [$0, 0] }
        let xls = try dir.write("old.xls", bytes: magic)
        let locked = try dir.write("locked.xlsx", bytes: encrypted)
        #expect(throws: TabularError.legacyWorkbook(path: xls, encrypted: false)) { try Tables.open(path: xls) }
        #expect(throws: TabularError.legacyWorkbook(path: locked, encrypted: true)) { try Tables.open(path: locked) }
        #expect(TabularError.legacyWorkbook(path: xls, encrypted: false).description.contains("XLS (BIFF) is not supported: save as XLSX or CSV"))
        #expect(TabularError.legacyWorkbook(path: locked, encrypted: true).description.contains("encrypted or legacy workbook"))
    }

    @Test func formatsNumbersAsPeopleSeeThem() {
        #expect(CellFormatting.number("14076341732") == "14076341732")
        #expect(CellFormatting.number("1.4076341732E10") == "14076341732")
        #expect(CellFormatting.number("3.0") == "3")
        #expect(CellFormatting.number("0.1") == "0.1")
        #expect(CellFormatting.number("-2.50") == "-2.5")
        #expect(CellFormatting.number("0.30000000000000004") == "0.30000000000000004")
        #expect(CellFormatting.number("1E-3") == "0.001")
    }

    @Test func classifiesCustomDateFormats() {
        #expect(CellFormatting.customDateKind("yyyy-mm-dd") == .date)
        #expect(CellFormatting.customDateKind("dd/mm/yyyy hh:mm") == .dateTime)
        #expect(CellFormatting.customDateKind("h:mm:ss") == .time)
        #expect(CellFormatting.customDateKind("\"days\" 0") == nil)
        #expect(CellFormatting.customDateKind("[$€-407]#,##0.00") == nil)
        #expect(CellFormatting.customDateKind("0.00E+00") == nil)
    }
}

@Suite struct XMLByteScannerTests {
    static let sheet = XLSXFixture.sheetXML("""
        <!-- a comment with <c> inside --><row r="1" x14ac:dyDescent="0.25"><x:c r="A1" t="inlineStr" note="a>b"><is><t>Zoë &amp; &#x41;&#66;</t><rPh><t>skip</t></rPh></is></x:c><c r="C1" t="str"><v><![CDATA[<raw>]]></v></c></row>
        <row r="2"><c r="B2" s="0"/><c r="AB2"><v>12</v></c></row><row r="3"/>
        """)

    func rows(chunkSize: Int) throws -> [String] {
        let handler = SheetHandler(sharedStrings: SharedStrings(), dateKinds: [nil], date1904: false, part: "sheet", maxCellBytes: 1 << 20)
        let scanner = XMLByteScanner(handler: handler, part: "sheet")
        let bytes = Array(Self.sheet.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            try bytes[start ..< end].withUnsafeBytes { try scanner.feed($0) }
            start = end
        }
        try scanner.finish()
        return handler.rows.map { row in "\(row.number):" + row.cells.map { "\($0.column)=\($0.value)" }.joined(separator: "|") }
    }

    @Test(arguments: [1, 3, 7, 64, 97, 100_000])
    func sameRowsForEveryChunkSize(chunkSize: Int) throws {
        #expect(try rows(chunkSize: chunkSize) == ["1:0=Zoë & AB|2=<raw>", "2:27=12", "3:"])
    }
}

@Suite struct XLSXOptionsTests {
    @Test func readsWithoutHeaderAndSkipsEmptyRowsWithANote() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.sheets = [("S", XLSXFixture.sheetXML("""
            <row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>x</t></is></c></row>
            <row r="3"><c r="A3" s="0"/></row>
            <row r="4"><c r="B4"><v>2</v></c></row>
            """))]
        let reader = try XLSXReader(path: book.write(to: dir.path("n.xlsx")), options: ReadOptions(header: false))
        #expect(reader.header == ["column_1", "column_2"])
        #expect(try readAll(reader) == [.record(Record(values: ["1", "x"], number: 1, line: 2)),
                                        .record(Record(values: ["", "2"], number: 2, line: 4))])
        #expect(reader.info.warnings == ["skipped 1 empty row(s)"])
    }
}

/// The cell values both workbook readers write byte by byte (dates, integers, column letters, the phone-number note).
@Suite struct CellFormattingTests {
    @Test func writesDatesAsBefore() {
        #expect(CellFormatting.date(serial: 0, kind: .date, date1904: false) == "1899-12-31")
        #expect(CellFormatting.date(serial: 43502, kind: .date, date1904: false) == "2019-02-06")
        #expect(CellFormatting.date(serial: 43502.75, kind: .date, date1904: false) == "2019-02-06T18:00:00")
        #expect(CellFormatting.date(serial: 43502.75, kind: .dateTime, date1904: true) == "2023-02-07T18:00:00")
        #expect(CellFormatting.date(serial: 0.5, kind: .time, date1904: false) == "12:00:00")
        #expect(CellFormatting.date(serial: 1.5, kind: .time, date1904: false) == "1900-01-01T12:00:00")
        #expect(CellFormatting.date(serial: 61.999999, kind: .dateTime, date1904: false) == "1900-03-02T00:00:00")
        // The 1904 system reaches a fifth year digit before the serial limit.
        #expect(CellFormatting.date(serial: 2_958_465.5, kind: .dateTime, date1904: true) == "10004-01-01T12:00:00")
        #expect(CellFormatting.date(serial: 2_958_466, kind: .date, date1904: false) == nil)
        #expect(CellFormatting.date(serial: -1, kind: .date, date1904: false) == nil)
    }

    @Test func writesIntegersAsStringOfInt64() {
        for value: Double in [0, -0.0, 7, -42, 100_000_000, 14_074_342_765, 9.9e16, -9.9e16, 99_999_999_999_999_984] {
            #expect(CellFormatting.number(value) == String(Int64(value)), "\(value)")
        }
        #expect(CellFormatting.number(1e17) == "1e+17")
        #expect(CellFormatting.number(-2.5) == "-2.5")
        #expect(CellFormatting.number(123_456_789.5) == "123456789.5")
    }

    @Test func phoneLikeNumbersAreTheOnesShownAsNineOrMoreDigits() {
        let values: [Double] = [99_999_999, 100_000_000, 1.5e8, 123_456_789.5, -123_456_789, 14_074_342_765, 9.9e16, 1e17, 0,
                                .nan, .infinity, -.infinity]
        for value in values {
            #expect(CellFormatting.looksLikePhoneNumber(value) == CellFormatting.looksLikePhoneNumber(CellFormatting.number(value)), "\(value)")
        }
        #expect(CellFormatting.looksLikePhoneNumber(14_074_342_765))
        #expect(!CellFormatting.looksLikePhoneNumber(99_999_999))
        #expect(CellFormatting.phoneLikeNote(column: 3, row: 2, shown: "14074342765")
            == "cell D2 holds 14074342765 as a number: if it is a phone number, format the column as Text (leading zeros and + are lost)")
        #expect(CellFormatting.phoneLikeNote(column: 16_383, row: 1_048_576, shown: "1.4076341732E10")
            == "cell XFD1048576 holds 1.4076341732E10 as a number: if it is a phone number, format the column as Text (leading zeros and + are lost)")
    }

    @Test func namesColumnsAsBefore() {
        #expect([0, 25, 26, 51, 701, 702, 16383, 18_277, 18_278].map(CellFormatting.columnName) == ["A", "Z", "AA", "AZ", "ZZ", "AAA", "XFD", "ZZZ", "AAAA"])
        #expect(CellFormatting.columnName(-1) == "")
    }
}
