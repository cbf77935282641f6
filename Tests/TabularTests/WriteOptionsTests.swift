import Foundation
import RosterTestSupport
import Testing
@testable import Tabular

/// `roster.write`'s layout options and XLSX output, read back by Roster and by openpyxl.
@Suite struct WriteOptionsTests {
    func written(_ options: WriteOptions, _ rows: [[String]], header: [String] = ["Name", "City"]) throws -> [UInt8] {
        let dir = try Scratch()
        let writer = try Tables.writer(path: dir.path("out.csv"), format: .csv, options: options)
        try writer.writeHeader(header)
        for row in rows { try writer.writeRow(row) }
        _ = try writer.finish()
        return Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("out.csv"))))
    }

    @Test func delimiterLineEndingQuotingAndHeaderAreHonoured() throws {
        var options = WriteOptions()
        options.delimiter = UInt8(ascii: ";")
        options.lineEnding = .lf
        #expect(String(decoding: try written(options, [["Ann; Jr", "Köln"]]), as: UTF8.self) == "Name;City\n\"Ann; Jr\";Köln\n")
        options.quoteAll = true
        options.header = false
        #expect(String(decoding: try written(options, [["Ann \"A\"", ""]]), as: UTF8.self) == "\"Ann \"\"A\"\"\";\"\"\n")
    }

    @Test func utf8WithABOMForExcel() throws {
        var options = WriteOptions()
        options.encoding = .utf8BOM
        let bytes = try written(options, [["José", "München"]])
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: bytes.dropFirst(3), as: UTF8.self) == "Name,City\r\nJosé,München\r\n")
    }

    @Test func cp1252WritesTheCodePageAndRefusesWhatItCannotHold() throws {
        var options = WriteOptions()
        options.encoding = .cp1252
        #expect(try written(options, [["José €5", "“Köln”"]]) == Array("Name,City\r\nJos".utf8) + [0xE9, 0x20, 0x80] + Array("5,".utf8) + [0x93, 0x4B, 0xF6]
                + Array("ln".utf8) + [0x94, 0x0D, 0x0A])
        #expect {
            try written(options, [["Ann", "ok"], ["Zoë", "Tōkyō"]])
        } throws: { error in
            let text = "\(error)"
            return text.contains("row 2, column City") && text.contains("U+14D") && text.contains("encoding = \"utf-8-bom\"")
        }
    }

    @Test func aCopyWithLayoutOptionsDoesNotTakeTheByteLevelPath() throws {
        let dir = try Scratch()
        var options = WriteOptions()
        options.lineEnding = .lf
        options.delimiter = UInt8(ascii: "\t")
        let reader = try Tables.open(path: dir.write("in.csv", "a,b\r\n1,\"x,y\"\r\n"))
        _ = try TableCopy.copy(from: reader, to: Tables.writer(path: dir.path("out.tsv"), format: .csv, options: options))
        #expect(try String(contentsOfFile: dir.path("out.tsv"), encoding: .utf8) == "a\tb\n1\tx,y\n")
    }

    static let awkward = ["  leading and trailing  ", "_x0041_ stays literal", "a < b & c > d", "tab\there\nand a new line",
                          "bell\u{07}char", "0412 345 678", "+61412345678", "=SUM(A1)", "Zoë 🙂", ""]

    @Test func xlsxRoundTripsEveryValueAsText() throws {
        let dir = try Scratch()
        let writer = try Tables.writer(path: dir.path("out.xlsx"), format: .xlsx)
        try writer.writeHeader(["Value", "Other"])
        for value in Self.awkward { try writer.writeRow([value, "x"]) }
        let summary = try writer.finish()
        #expect(summary.rows == Self.awkward.count)
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.xlsx") + ".sheet-\(getpid()).xml"))
        let reader = try Tables.open(path: dir.path("out.xlsx"))
        #expect(reader.header == ["Value", "Other"])
        let values = records(try readAll(reader)).map { $0.first ?? "" }
        #expect(values.count == Self.awkward.count)
        for (got, want) in zip(values, Self.awkward) { #expect(got == want) }
    }

    @Test func xlsxOpensInOpenpyxlWithTheSameText() throws {
        let dir = try Scratch()
        let writer = try Tables.writer(path: dir.path("out.xlsx"), format: .xlsx)
        try writer.writeHeader(["Value"])
        for value in Self.awkward { try writer.writeRow([value]) }
        _ = try writer.finish()
        let script = """
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
            print(json.dumps([[c if c is not None else "" for c in row] for row in wb.active.iter_rows(values_only=True)]))
            """
        let out = try runPython(script, [dir.path("out.xlsx")])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String]])
        #expect(rows.first == ["Value"])
        // openpyxl does not decode _xHHHH_ escapes (Excel does): the control character comes back escaped there.
        let expected = Self.awkward.map { $0 == "bell\u{07}char" ? "bell_x0007_char" : $0 == "_x0041_ stays literal" ? "_x005F_x0041_ stays literal" : $0 }
        #expect(Array(rows.dropFirst()).map { $0.first ?? "" } == expected)
    }

    @Test func aCellOverExcelsLimitIsAnErrorNamingRowAndColumn() throws {
        let dir = try Scratch()
        let writer = try Tables.writer(path: dir.path("big.xlsx"), format: .xlsx)
        try writer.writeHeader(["Name", "Notes"])
        try writer.writeRow(["Ann", "short"])
        #expect {
            try writer.writeRow(["Bob", String(repeating: "n", count: 40_000)])
        } throws: { "\($0)".contains("row 2, column Notes: 40000 characters: an Excel cell holds at most 32767") }
    }

    @Test func columnNamesFollowA1Notation() {
        #expect([0, 25, 26, 51, 701, 702, 16383].map(CellFormatting.columnName) == ["A", "Z", "AA", "AZ", "ZZ", "AAA", "XFD"])
    }
}
