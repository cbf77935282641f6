import Foundation
import Testing
@testable import Tabular

// Small hostile files that crashed, hung or lost rows: each ends in a typed error or a rejected record
// that names its position, within bounded memory and time.

@Suite struct HostileXLSXTests {
    static let header = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>phone</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c></row>"

    func book(_ rows: String, shared: [String] = []) -> XLSXFixture {
        var book = XLSXFixture()
        book.sheets = [("S", XLSXFixture.sheetXML(rows))]
        book.sharedStrings = shared
        return book
    }

    func failure(_ path: String) -> TabularError? {
        do {
            _ = try readAll(try XLSXReader(path: path))
            return nil
        } catch let error as TabularError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: ["AAAAAAAAAAAAAAAA2", "XFE2", "ZZZZZZZ2"])
    func aCellReferencePastColumnXFDIsATypedErrorNamingTheCell(reference: String) throws {
        let dir = try Scratch()
        let path = try book(Self.header + "<row r=\"2\"><c r=\"\(reference)\"><v>1</v></c></row>").write(to: dir.path("wide.xlsx"))
        let error = try #require(failure(path))
        #expect(error.description.contains("row 2: cell \(reference.prefix(40)) is beyond column XFD"))
    }

    @Test func aHeaderCellPastXFDDoesNotAllocateTheGap() throws {
        let dir = try Scratch()
        let path = try book("<row r=\"1\"><c r=\"ZZZZZZZ1\" t=\"inlineStr\"><is><t>x</t></is></c></row>").write(to: dir.path("h.xlsx"))
        #expect(failure(path)?.description.contains("ZZZZZZZ1 is beyond column XFD") == true)
        // XFD itself is the last valid column.
        let ok = try book("<row r=\"1\"><c r=\"XFD1\" t=\"inlineStr\"><is><t>x</t></is></c></row>").write(to: dir.path("xfd.xlsx"))
        #expect(try XLSXReader(path: ok).header.count == 16_384)
    }

    @Test(arguments: ["99999999999999999999999", "0", "1048577"])
    func aRowNumberOutsideTheSheetIsATypedError(number: String) throws {
        let dir = try Scratch()
        let path = try book(Self.header + "<row r=\"\(number)\"><c t=\"inlineStr\"><is><t>x</t></is></c></row>").write(to: dir.path("r.xlsx"))
        #expect(failure(path)?.description.contains("row number \(number) is outside 1...1048576") == true)
    }

    @Test func aCellPointingAtAMissingSharedStringRejectsItsRowNeverVanishes() throws {
        let dir = try Scratch()
        let rows = Self.header + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>7</v></c><c r=\"B2\" t=\"s\"><v>0</v></c></row><row r=\"3\"><c r=\"A3\" t=\"s\"><v>-1</v></c></row><row r=\"4\"><c r=\"A4\" t=\"s\"><v>0</v></c></row>"
        let events = try readAll(try XLSXReader(path: book(rows, shared: ["Ann"]).write(to: dir.path("ss.xlsx"))))
        #expect(records(events) == [["Ann", ""]])
        let rejected = rejections(events)
        #expect(rejected.map(\.line) == [2, 3])
        #expect(rejected.first?.reason.contains("cell A2 points at shared string 7, but the workbook has 1") == true)
        #expect(rejected.first?.values == ["", "Ann"])
    }

    @Test func aCellPastTheCeilingRejectsItsRowAndReadingGoesOn() throws {
        let dir = try Scratch()
        let big = String(repeating: "x", count: 300_000)
        let rows = Self.header + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>\(big)</t></is></c></row><row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c></row><row r=\"4\"><c r=\"A4\"><v>5</v></c></row>"
        var options = ReadOptions()
        options.maxFieldBytes = 100_000
        let events = try readAll(try XLSXReader(path: book(rows, shared: [big]).write(to: dir.path("big.xlsx")), options: options))
        #expect(records(events) == [["5", ""]])
        #expect(rejections(events).map(\.line) == [2, 3])
        #expect(rejections(events).first?.reason.contains("cell A2 is longer than") == true)
        #expect(rejections(events).last?.reason.contains("holds shared string 0, which is longer than") == true)
        // The default ceiling reads the same cell.
        #expect(records(try readAll(try XLSXReader(path: dir.path("big.xlsx")))).count == 3)
    }

    @Test func aHugeTagIsRefusedNotHeld() throws {
        let dir = try Scratch()
        let rows = Self.header + "<row r=\"2\"><c r=\"A2\" x=\"" + String(repeating: "a", count: 3 << 20) + "\"><v>1</v></c></row>"
        var options = ReadOptions()
        options.maxFieldBytes = 1 << 20
        let path = try book(rows).write(to: dir.path("tag.xlsx"))
        #expect(throws: TabularError.self) { _ = try readAll(try XLSXReader(path: path, options: options)) }
    }

    @Test func titleRowsAboveTheTableArePassedOverWithHeaderOrSkip() throws {
        let dir = try Scratch()
        let rows = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Bank export</t></is></c></row>"
            + "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>phone</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>name</t></is></c></row>"
            + "<row r=\"4\"><c r=\"A4\"><v>5</v></c><c r=\"B4\" t=\"inlineStr\"><is><t>Ann</t></is></c></row>"
        let path = try book(rows).write(to: dir.path("title.xlsx"))
        // Without an option the title is the header and the table's cells lie beyond it.
        #expect(try XLSXReader(path: path).header == ["Bank export"])
        for (header, skip) in [(3, 0), (1, 1)] {
            var options = ReadOptions()
            options.headerRow = header
            options.skip = skip
            let reader = try XLSXReader(path: path, options: options)
            #expect(reader.header == ["phone", "name"])
            let events = try readAll(reader)
            #expect(records(events) == [["5", "Ann"]])
            #expect(events.map { if case let .record(r) = $0 { r.line } else { 0 } } == [4])
        }
    }

    @Test func aDoctypeInAWorksheetIsRefused() throws {
        let dir = try Scratch()
        var fixture = book(Self.header)
        fixture.sheets[0].xml = "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY e \"x\">]>" + fixture.sheets[0].xml.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>", with: "")
        #expect(failure(try fixture.write(to: dir.path("dtd.xlsx")))?.description.contains("DTD") == true)
    }
}

@Suite struct HostileJSONAndXMLTests {
    @Test(arguments: [String(repeating: "[", count: 100_000), "[" + String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000) + "]"])
    func deepNestingIsATypedErrorNotAStackOverflow(text: String) throws {
        let dir = try Scratch()
        let path = try dir.write("deep.json", text)
        do {
            _ = try readAll(try JSONReader(path: path))
            Issue.record("expected an error")
        } catch let error as TabularError {
            #expect(error.description.contains("nested deeper than 128 levels"))
        }
    }

    @Test func nestingWithinTheLimitStillFlattens() throws {
        let dir = try Scratch()
        let path = try dir.write("ok.json", "[{\"a\":{\"b\":{\"c\":\"x\"}}}]")
        let reader = try JSONReader(path: path)
        #expect(reader.header == ["a.b.c"])
        #expect(records(try readAll(reader)) == [["x"]])
    }

    @Test func aJSONStringPastTheCeilingIsATypedError() throws {
        let dir = try Scratch()
        let path = try dir.write("s.json", "[{\"a\":\"" + String(repeating: "y", count: 2 << 20) + "\"}]")
        var options = ReadOptions()
        options.maxFieldBytes = 1 << 20
        #expect(throws: TabularError.self) { _ = try readAll(try JSONReader(path: path, options: options)) }
    }

    @Test func aDoctypeIsRefusedBeforeAnyEntityIsDeclared() throws {
        let dir = try Scratch()
        let entity = String(repeating: "x", count: 10_000)
        let path = try dir.write("e.xml", "<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY e \"\(entity)\">]><contacts><contact><name>\(String(repeating: "&e;", count: 10_000))</name></contact></contacts>")
        do {
            _ = try readAll(try XMLContactReader(path: path))
            Issue.record("expected an error")
        } catch let error as TabularError {
            #expect(error.description.contains("DOCTYPE") && error.description.contains("line 1"))
        }
    }

    @Test func deepXMLIsATypedErrorAndFast() throws {
        let dir = try Scratch()
        let path = try dir.write("deep.xml", "<contacts>" + String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000) + "</contacts>")
        do {
            _ = try readAll(try XMLContactReader(path: path))
            Issue.record("expected an error")
        } catch let error as TabularError {
            #expect(error.description.contains("nested deeper than 64 levels"))
        }
    }

    @Test func anXMLFieldPastTheCeilingRejectsItsRecord() throws {
        let dir = try Scratch()
        let path = try dir.write("big.xml", "<contacts><contact><name>" + String(repeating: "z", count: 300_000) + "</name></contact><contact><name>Ann</name></contact></contacts>")
        var options = ReadOptions()
        options.maxFieldBytes = 100_000
        let events = try readAll(try XMLContactReader(path: path, options: options))
        #expect(records(events) == [["Ann"]])
        #expect(rejections(events).first?.reason.contains("field name is longer than") == true)
    }
}
