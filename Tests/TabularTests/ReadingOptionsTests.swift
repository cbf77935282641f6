import Foundation
import Testing
@testable import Tabular

/// The reading options a customer's export needs: quote, comment, encoding names, columns, sheet, title rows.
@Suite struct ReadingOptionsTests {
    func read(_ text: String, _ configure: (inout ReadOptions) -> Void) throws -> (header: [String], events: [ReadEvent], info: SourceInfo) {
        let dir = try Scratch()
        var options = ReadOptions()
        configure(&options)
        let reader = try Tables.open(path: dir.write("in.csv", text), options: options)
        let events = try readAll(reader)
        return (reader.header, events, reader.info)
    }

    @Test func aSingleQuoteQuotesFieldsAndDoublesItself() throws {
        let r = try read("name;note\n'O''Brien; Ann';\"as is\"\n") { $0.quote = UInt8(ascii: "'") }
        #expect(r.header == ["name", "note"])
        #expect(records(r.events) == [["O'Brien; Ann", "\"as is\""]])
    }

    @Test func quoteFalseMakesQuotesOrdinaryText() throws {
        let r = try read("name,inch\n\"Ann,12\"\n") { $0.quote = nil }
        #expect(records(r.events) == [["\"Ann", "12\""]])
        // With quotes on, the same line is one quoted field: a short record.
        let quoted = try read("name,inch\n\"Ann,12\"\n") { _ in }
        #expect(rejections(quoted.events).count == 1)
    }

    @Test func commentLinesArePassedOverAndDoNotFoolTheDelimiterSniffer() throws {
        let r = try read("# exported by CoreBank, 2026-12-01\nphone;name\n# a note, here\n1;Ann\n2;Bob\n") { $0.comment = UInt8(ascii: "#") }
        #expect(r.header == ["phone", "name"])
        #expect(r.info.delimiter == UInt8(ascii: ";"))
        let got = r.events.compactMap { if case let .record(x) = $0 { "\(x.number)@\(x.line):\(x.values.joined(separator: "|"))" } else { nil } }
        #expect(got == ["1@4:1|Ann", "2@5:2|Bob"])
        #expect(r.info.warnings.contains("skipped 2 comment line(s)"))
        // Without the option a comment is data: the first line is the header.
        #expect(try read("# x\nphone;name\n") { _ in }.header == ["# x"])
    }

    @Test func latin1AndCp1252NameTheWindowsCodePage() throws {
        let dir = try Scratch()
        // "Name;City\nJosé;München\n€5;x\n" in Windows-1252 (0x80 is the euro sign there, a C1 control in ISO-8859-1).
        let bytes: [UInt8] = Array("Name;City\nJos".utf8) + [0xE9] + Array(";M".utf8) + [0xFC] + Array("nchen\n".utf8) + [0x80] + Array("5;x\n".utf8)
        let path = try dir.write("cp.csv", bytes: bytes)
        for name in ["latin-1", "latin1", "iso-8859-1", "cp1252", "windows-1252"] {
            var options = ReadOptions()
            options.encoding = name
            let reader = try Tables.open(path: path, options: options)
            #expect(records(try readAll(reader)) == [["José", "München"], ["€5", "x"]], "\(name)")
            #expect(reader.info.delimiter == UInt8(ascii: ";"))
        }
    }

    @Test func utf16WithoutAByteOrderMarkIsToldByItsZeroBytes() throws {
        let dir = try Scratch()
        let text = "name,city\nZoë,Köln\n"
        let le = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for (file, bytes) in [("le.csv", le), ("be.csv", be), ("bom.csv", [0xFF, 0xFE] + le)] {
            var options = ReadOptions()
            options.encoding = "utf-16"
            let reader = try Tables.open(path: dir.write(file, bytes: bytes), options: options)
            #expect(reader.header == ["name", "city"], "\(file)")
            #expect(records(try readAll(reader)) == [["Zoë", "Köln"]], "\(file)")
        }
    }

    @Test func anUnknownEncodingNamesTheNearest() throws {
        #expect {
            try read("a\n1\n") { $0.encoding = "utf-16-le" }
        } throws: { "\($0)".contains("unknown encoding \"utf-16-le\" (did you mean \"utf-16le\"?)") }
    }

    @Test func columnsKeepsAndRenamesInTheOrderAsked() throws {
        let r = try read("Mobile Number,First,Email,Notes\n0412,Ann,ann@x.io,vip\n0413,Bob\n") {
            $0.columns = [ColumnPick("Email"), ColumnPick(name: "Phone", source: "Mobile Number", listed: false), ColumnPick("First")]
        }
        #expect(r.header == ["Email", "First", "Phone"])
        #expect(records(r.events) == [["ann@x.io", "Ann", "0412"]])
        // The short record is still rejected, with every field it had for the errors file.
        #expect(rejections(r.events).map(\.values) == [["0413", "Bob"]])
    }

    @Test func aMisspeltColumnIsAnErrorNamingTheNearest() throws {
        #expect {
            try read("Mobile Number,Email\n1,a\n") { $0.columns = [ColumnPick("Mobile Numbr")] }
        } throws: { "\($0)".contains("no column \"Mobile Numbr\" in the header (did you mean \"Mobile Number\"?)") }
    }

    @Test func optionsThatDoNotApplyToTheFormatAreErrors() throws {
        #expect { try read("a\n1\n") { $0.sheet = .index(2) } } throws: { "\($0)".contains("sheet applies to workbooks") }
        let dir = try Scratch()
        let json = try dir.write("in.json", "[{\"a\": 1}]")
        var options = ReadOptions()
        options.comment = UInt8(ascii: "#")
        #expect { try Tables.open(path: json, options: options) } throws: { "\($0)".contains("comment applies to delimited text") }
    }

    @Test func inspectSuggestsTheHeaderRowBelowTitleRows() throws {
        let dir = try Scratch()
        let titled = try dir.write("t.csv", "First Credit Union,,\nMembers export,,\nphone,name,opt_out\n1,Ann,no\n2,Bob,yes\n")
        #expect(try Inspector.inspect(path: titled).suggestedHeader == 3)
        #expect(try Inspector.inspect(path: titled).text.contains("read it with header = 3"))
        let plain = try dir.write("p.csv", "phone,name\n1,Ann\n")
        #expect(try Inspector.inspect(path: plain).suggestedHeader == nil)
        var options = ReadOptions()
        options.headerRow = 3
        #expect(try Inspector.inspect(path: titled, options: options).suggestedHeader == nil)
    }

    @Test func inspectSuggestsTheHeaderRowOfAWorkbookWithATitle() throws {
        let dir = try Scratch()
        var book = XLSXFixture()
        book.sheets = [("Export", XLSXFixture.sheetXML("""
            <row r="1">\(OPCPackage.inline("A1", "First Credit Union: members"))</row>
            <row r="3">\(OPCPackage.inline("A3", "Phone"))\(OPCPackage.inline("B3", "Name"))\(OPCPackage.inline("C3", "Opt out"))</row>
            <row r="4">\(OPCPackage.inline("A4", "0412"))\(OPCPackage.inline("B4", "Ann"))\(OPCPackage.inline("C4", "no"))</row>
            """))]
        let path = try book.write(to: dir.path("titled.xlsx"))
        let inspection = try Inspector.inspect(path: path)
        #expect(inspection.suggestedHeader == 3, "\(inspection.text)")
        #expect(inspection.warnings.contains { $0.contains("cell B4 is right of the header's last column (A)") })
    }

    @Test func aQuotedFieldWithAnotherQuoteCharacterIsRewrittenWhenCopied() throws {
        let dir = try Scratch()
        var options = ReadOptions()
        options.quote = UInt8(ascii: "'")
        let reader = try Tables.open(path: dir.write("in.csv", "a,b\n'x''y, \"z\"',2\n"), options: options)
        _ = try TableCopy.copy(from: reader, to: CSVWriter(path: dir.path("out.csv"))) { _ in }
        let out = try String(contentsOfFile: dir.path("out.csv"), encoding: .utf8)
        #expect(out == "a,b\r\n\"x'y, \"\"z\"\"\",2\r\n")
    }
}
