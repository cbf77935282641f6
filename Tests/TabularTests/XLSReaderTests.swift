import Foundation
import Testing
@testable import Tabular
import TabularFuzz

// The legacy Excel reader (issue 20) on workbooks built by hand: BIFF8 and BIFF5 records, and compound files
// damaged on purpose. Fixture workbooks made by LibreOffice are in XLSFixtureTests.

/// Writes `stream` as the Workbook stream of a compound file in `dir`.
private func write(_ dir: Scratch, _ name: String, stream: [UInt8], damage: (inout CompoundFileBuilder.Layout) -> Void = { _ in }) throws -> String {
    try dir.write(name, bytes: CompoundFileBuilder.workbook(stream).build(damage: damage))
}

/// A workbook stream padded to 4096 bytes, so that it lives in ordinary sectors (as Excel pads it).
private func padded(_ stream: [UInt8]) -> [UInt8] { stream + [UInt8](repeating: 0, count: max(0, 4096 - stream.count)) }

private let phone = "as a number: if it is a phone number, format the column as Text (leading zeros and + are lost)"

@Suite struct XLSReaderTests {
    @Test func readsSharedStringsNumbersBooleansAndErrorsLikeTheXLSXReader() throws {
        let dir = try Scratch()
        let stream = BIFF.book([
            BIFF.labelSST(0, 0, 0), BIFF.labelSST(0, 1, 1), BIFF.labelSST(0, 2, 2), BIFF.labelSST(0, 3, 3),
            BIFF.labelSST(1, 0, 4), BIFF.number(1, 1, 14_076_341_732), BIFF.boolErr(1, 2, 1), BIFF.label(1, 3, "a & b"),
            BIFF.number(3, 1, 0.1), BIFF.boolErr(3, 2, 0), BIFF.boolErr(3, 3, 0x2A, error: true),
            BIFF.blank(4, 0), BIFF.blank(4, 1),
            BIFF.labelSST(5, 0, 5), BIFF.number(5, 3, -2.5),
        ], strings: ["Name", "Phone", "Active", "Note", "Ann", "Zoë 日本"])
        let path = try write(dir, "basic.xls", stream: stream)
        let reader = try Tables.open(path: path)
        #expect(reader.info.format == .xls)
        #expect(reader.info.sheets == ["Sheet1"])
        #expect(reader.info.encoding == nil)
        #expect(reader.header == ["Name", "Phone", "Active", "Note"])
        #expect(try readAll(reader) == [
            .record(Record(values: ["Ann", "14076341732", "TRUE", "a & b"], number: 1, line: 2, warnings: ["cell B2 holds 14076341732 \(phone)"])),
            .record(Record(values: ["", "0.1", "FALSE", ""], number: 2, line: 4, warnings: ["cell D4 holds the error #N/A: read as empty"])),
            .record(Record(values: ["Zoë 日本", "", "", "-2.5"], number: 3, line: 6)),
        ])
        #expect(reader.info.warnings == ["skipped 1 empty row(s)"])
    }

    @Test func decodesTheFourRKEncodingsAndMULRK() throws {
        let dir = try Scratch()
        let integer = BIFF.rkInteger(1234)
        let negative = BIFF.rkInteger(-5)
        let cents = BIFF.rkInteger(12345) | 0x01
        let float: UInt32 = 0x3FF8_0000 // 1.5: the top 30 bits of the double
        let floatCents: UInt32 = 0x3FF4_0000 | 0x01 // 1.25 / 100
        #expect(XLSSheetCells.rk(integer) == 1234)
        #expect(XLSSheetCells.rk(negative) == -5)
        #expect(XLSSheetCells.rk(cents) == 123.45)
        #expect(XLSSheetCells.rk(float) == 1.5)
        #expect(XLSSheetCells.rk(floatCents) == 0.0125)
        let stream = BIFF.book([
            BIFF.label(0, 0, "a"), BIFF.label(0, 1, "b"), BIFF.label(0, 2, "c"), BIFF.label(0, 3, "d"), BIFF.label(0, 4, "e"),
            BIFF.rk(1, 0, integer), BIFF.rk(1, 1, negative), BIFF.rk(1, 2, cents), BIFF.rk(1, 3, float), BIFF.rk(1, 4, floatCents),
            BIFF.mulRK(2, 0, [integer, negative, cents, float, floatCents]),
            BIFF.mulRK(3, 2, [BIFF.rkInteger(536_870_911), BIFF.rkInteger(-536_870_912)]),
        ])
        let reader = try XLSReader(path: write(dir, "rk.xls", stream: stream))
        #expect(records(try readAll(reader)) == [
            ["1234", "-5", "123.45", "1.5", "0.0125"],
            ["1234", "-5", "123.45", "1.5", "0.0125"],
            ["", "", "536870911", "-536870912", ""],
        ])
    }

    @Test func readsFormulaResultsIncludingStringsCarriedOnByContinueRecords() throws {
        let dir = try Scratch()
        let split = BIFF.record(0x0207, LE.u16(5) + [0] + Array("abc".utf8)) + BIFF.record(0x003C, [1] + "日本".utf16.flatMap { LE.u16(Int($0)) })
        let stream = BIFF.book([
            BIFF.label(0, 0, "n"), BIFF.label(0, 1, "s"), BIFF.label(0, 2, "b"), BIFF.label(0, 3, "e"), BIFF.label(0, 4, "empty"), BIFF.label(0, 5, "split"),
            BIFF.formula(1, 0, result: BIFF.numberResult(2.5)),
            BIFF.formula(1, 1, result: BIFF.stringResult), BIFF.record(0x04BC, [0, 0, 0, 0]), BIFF.string("Hello"),
            BIFF.formula(1, 2, result: BIFF.boolResult(true)),
            BIFF.formula(1, 3, result: BIFF.errorResult(0x07)),
            BIFF.formula(1, 4, result: BIFF.emptyResult),
            BIFF.formula(1, 5, result: BIFF.stringResult), split,
            // A string result whose STRING record never comes reads as empty.
            BIFF.formula(2, 0, result: BIFF.stringResult), BIFF.formula(2, 1, result: BIFF.boolResult(false)),
        ])
        let reader = try XLSReader(path: write(dir, "formulas.xls", stream: stream))
        #expect(try readAll(reader) == [
            .record(Record(values: ["2.5", "Hello", "TRUE", "", "", "abc日本"], number: 1, line: 2, warnings: ["cell D2 holds the error #DIV/0!: read as empty"])),
            .record(Record(values: ["", "FALSE", "", "", "", ""], number: 2, line: 3)),
        ])
    }

    @Test func splitsSharedStringsAcrossContinueRecordsSwitchingBetween8And16BitText() throws {
        let dir = try Scratch()
        let strings = ["Ångström naïve", "日本語テキスト", String(repeating: "é", count: 100) + "字", "plain ascii text, long enough to cross records", "", "😀 emoji"]
        let sst = BIFF.sst(strings, maxBody: 37)
        #expect(sst.count > 8)
        let stream = BIFF.workbook(trailer: sst, sheets: [("S", 0, [BIFF.label(0, 0, "v")] + strings.indices.map { BIFF.labelSST($0 + 1, 0, $0) })])
        let reader = try XLSReader(path: write(dir, "sst.xls", stream: stream))
        #expect(records(try readAll(reader)) == strings.filter { !$0.isEmpty }.map { [$0] })
    }

    @Test func passesOverRichTextRunsAndPhoneticDataAcrossContinueRecords() throws {
        let dir = try Scratch()
        // "Hello" with 2 formatting runs (8 bytes) and 6 bytes of phonetic data, both cut by record boundaries, then "World".
        let first = LE.u16(5) + [0x0C] + LE.u16(2) + LE.u32(6) + Array("Hello".utf8) + [1, 0, 1, 0, 3, 0]
        let rest = [UInt8](arrayLiteral: 2, 0) + [9, 9, 9, 9, 9] + [9] + LE.u16(5) + [0] + Array("World".utf8)
        let sst = [BIFF.record(0x00FC, LE.u32(2) + LE.u32(2) + first), BIFF.record(0x003C, Array(rest.prefix(5))), BIFF.record(0x003C, Array(rest.dropFirst(5)))]
        let stream = BIFF.workbook(trailer: sst, sheets: [("S", 0, [BIFF.labelSST(0, 0, 0), BIFF.labelSST(1, 0, 1)])])
        let reader = try XLSReader(path: write(dir, "rich.xls", stream: stream))
        #expect(reader.header == ["Hello"])
        #expect(records(try readAll(reader)) == [["World"]])
    }

    @Test func anSSTDeclaringTwoBillionStringsReadsTheTwoItHolds() throws {
        let dir = try Scratch()
        let stream = BIFF.workbook(trailer: BIFF.sst(["Name", "Ann"], declared: 2_000_000_000),
                                   sheets: [("S", 0, [BIFF.labelSST(0, 0, 0), BIFF.labelSST(1, 0, 1), BIFF.labelSST(2, 0, 7)])])
        let reader = try XLSReader(path: write(dir, "sst2g.xls", stream: stream))
        #expect(reader.header == ["Name"])
        let events = try readAll(reader)
        #expect(records(events) == [["Ann"]])
        #expect(rejections(events).map(\.reason) == ["cell A3 points at shared string 7, but the workbook has 2: the file is damaged; re-save it in Excel"])
        #expect(reader.info.warnings.contains("the shared-string table declares 2000000000 strings but holds 2: cells that point past them are rejected"))
    }

    @Test func showsDateFormattedNumbersAsISO8601InBothDateSystems() throws {
        let dir = try Scratch()
        let globals = [BIFF.format(164, "yyyy\\-mm\\-dd\\ hh:mm"), BIFF.format(165, "[h]:mm:ss"), BIFF.format(166, "\"Day\" 0.00")]
            + (0 ..< 20).map { _ in BIFF.xf(0) } + [BIFF.xf(14), BIFF.xf(164), BIFF.xf(165), BIFF.xf(166), BIFF.xf(20)]
        let cells = [BIFF.label(0, 0, "d"),
                     BIFF.number(1, 0, 43889, xf: 20), BIFF.number(2, 0, 43889.572916666664, xf: 21), BIFF.number(3, 0, 10.6320601851852, xf: 22),
                     BIFF.number(4, 0, 43889, xf: 23), BIFF.number(5, 0, 0.75, xf: 24), BIFF.rk(6, 0, BIFF.rkInteger(43889), xf: 20),
                     BIFF.formula(7, 0, result: BIFF.numberResult(43890), xf: 20)]
        let reader = try XLSReader(path: write(dir, "dates.xls", stream: BIFF.book(cells, globals: globals)))
        #expect(records(try readAll(reader)) == [["2020-02-28"], ["2020-02-28T13:45:00"], ["255:10:10"], ["43889"], ["18:00:00"], ["2020-02-28"], ["2020-02-29"]])
        let mac = try XLSReader(path: write(dir, "mac.xls", stream: BIFF.book([BIFF.label(0, 0, "d"), BIFF.number(1, 0, 42427, xf: 20)],
                                                                              globals: [BIFF.dateMode1904()] + BIFF.xfs(dateFormat: 14))))
        #expect(records(try readAll(mac)) == [["2020-02-28"]])
    }

    @Test func readsBIFF5LabelsInTheWorkbooksCodePage() throws {
        let dir = try Scratch()
        let cells = [BIFF.label5(0, 0, Array("Name".utf8)), BIFF.label5(0, 1, [0x43, 0x69, 0x74, 0x74, 0xE0]),
                     BIFF.label5(1, 0, [0x4A, 0x6F, 0x73, 0xE9]), BIFF.label5(1, 1, [0x80, 0x20, 0x35]), BIFF.rk(1, 2, BIFF.rkInteger(3)), BIFF.label5(2, 2, [0x21])]
        let stream = BIFF.workbook(globals: [BIFF.codePage(1252)], sheets: [("Blätter", 0, cells)], biff8: false)
        let path = try dir.write("excel95.xls", bytes: CompoundFileBuilder([("Book", stream)]).build())
        let reader = try Tables.open(path: path)
        #expect(reader.info.sheets == ["Blätter"])
        #expect(reader.info.encoding == "windows-1252")
        #expect(reader.header == ["Name", "Città"])
        #expect(try readAll(reader) == [
            .record(Record(values: ["José", "€ 5"], number: 1, line: 2, warnings: ["cell C2 is right of the header's last column (B): ignored"])),
            .record(Record(values: ["", ""], number: 2, line: 3, warnings: ["cell C3 is right of the header's last column (B): ignored"])),
        ])

        let cyrillic = BIFF.workbook(globals: [BIFF.codePage(1251)], sheets: [("S", 0, [BIFF.label5(0, 0, [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2])])], biff8: false)
        let russian = try dir.write("cyrillic.xls", bytes: CompoundFileBuilder([("Book", cyrillic)]).build())
        #expect(try XLSReader(path: russian).header == ["Привет"])

        let unknown = BIFF.workbook(globals: [BIFF.codePage(1234)], sheets: [("S", 0, [BIFF.label5(0, 0, [0x41])])], biff8: false)
        let odd = try dir.write("unknown.xls", bytes: CompoundFileBuilder([("Book", unknown)]).build())
        #expect { try XLSReader(path: odd) } throws: { error in
            guard case let .unsupported(path, detail) = error as? TabularError else { return false }
            return path == odd && detail.contains("code page 1234, which Roster cannot decode") && detail.contains("save it as .xlsx")
        }
    }

    @Test func aFILEPASSRecordIsAnEncryptedWorkbook() throws {
        let dir = try Scratch()
        let path = try write(dir, "locked.xls", stream: BIFF.book([BIFF.label(0, 0, "a")], globals: [BIFF.filePass()]))
        #expect(throws: TabularError.legacyWorkbook(path: path, encrypted: true)) { try Tables.open(path: path) }
        #expect(TabularError.legacyWorkbook(path: path, encrypted: true).description.contains("remove the password, and save it again"))
    }

    @Test func anEncryptedOOXMLPackageIsNamedAsSuch() throws {
        let dir = try Scratch()
        let bytes = CompoundFileBuilder([("EncryptionInfo", [UInt8](repeating: 1, count: 200)), ("EncryptedPackage", [UInt8](repeating: 2, count: 5000))]).build()
        let path = try dir.write("locked.xlsx", bytes: bytes)
        #expect(throws: TabularError.legacyWorkbook(path: path, encrypted: true)) { try Tables.open(path: path) }
        #expect(throws: TabularError.legacyWorkbook(path: path, encrypted: true)) { try XLSReader(path: path) }
        let word = try dir.write("letter.xls", bytes: CompoundFileBuilder([("WordDocument", [UInt8](repeating: 0, count: 100))]).build())
        #expect(throws: TabularError.legacyWorkbook(path: word, encrypted: false)) { try Tables.open(path: word) }
    }

    @Test func readsWorkbookWhenTheFileAlsoHoldsBook() throws {
        let dir = try Scratch()
        let old = BIFF.workbook(sheets: [("Old", 0, [BIFF.label5(0, 0, Array("old".utf8))])], biff8: false)
        let new = BIFF.book([BIFF.label(0, 0, "new")])
        let orders: [[(name: String, bytes: [UInt8])]] = [[("Book", old), ("Workbook", new)], [("Workbook", new), ("Book", old)]]
        for order in orders {
            let path = try dir.write("both.xls", bytes: CompoundFileBuilder(order).build())
            let reader = try XLSReader(path: path)
            #expect(reader.header == ["new"])
            #expect(reader.info.sheets == ["Sheet1"])
        }
    }

    @Test func aFATCycleIsATypedErrorNotAHang() throws {
        let dir = try Scratch()
        let stream = padded(BIFF.book([BIFF.label(0, 0, "a")]))
        let path = try write(dir, "cycle.xls", stream: stream) { layout in
            let start = layout.starts["Workbook"] ?? 0
            layout.fat[start + 7] = UInt32(start) // the last of its 8 sectors leads back to the first
        }
        // A cycle within the sectors the stream needs, and a directory chain looping on itself.
        let tight = try write(dir, "cycle2.xls", stream: stream) { layout in
            let start = layout.starts["Workbook"] ?? 0
            layout.fat[start + 3] = UInt32(start + 1)
        }
        #expect(throws: Never.self) { try XLSReader(path: path) } // the cycle lies past the 4096 bytes it declares
        #expect { try XLSReader(path: tight) } throws: { "\($0)".contains("runs in a cycle at sector") && "\($0)".contains("open it in Excel and save it again") }
        let directory = try write(dir, "cycle3.xls", stream: stream) { layout in
            if let at = layout.fat.firstIndex(of: 0xFFFF_FFFD), at > 0 { layout.fat[at - 1] = UInt32(at - 1) }
        }
        #expect(throws: TabularError.self) { try XLSReader(path: directory) }
    }

    @Test func anOutOfRangeSectorIsATypedError() throws {
        let dir = try Scratch()
        let stream = padded(BIFF.book([BIFF.label(0, 0, "a")]))
        let far = try write(dir, "far.xls", stream: stream) { layout in
            layout.fat[(layout.starts["Workbook"] ?? 0) + 2] = 50_000
        }
        #expect { try XLSReader(path: far) } throws: { "\($0)".contains("sector 4 of the Workbook stream is beyond the end of the file") }
        let start = try write(dir, "start.xls", stream: stream) { layout in layout.entries[1].start = 0xFFFF_FFFD }
        #expect { try XLSReader(path: start) } throws: { "\($0)".contains("sector 1 of the Workbook stream holds the marker FFFFFFFD") }
        let marker = try write(dir, "free.xls", stream: stream) { layout in
            layout.fat[(layout.starts["Workbook"] ?? 0) + 1] = 0xFFFF_FFFF
        }
        #expect(throws: TabularError.self) { try XLSReader(path: marker) }
    }

    @Test func aTruncatedStreamIsATypedError() throws {
        let dir = try Scratch()
        let stream = padded(BIFF.book([BIFF.label(0, 0, "a")]))
        let long = try write(dir, "long.xls", stream: stream) { layout in layout.entries[1].size += 5000 }
        #expect { try XLSReader(path: long) } throws: { error in
            "\(error)".contains("the Workbook stream is cut short: it declares 9096 bytes but its sectors hold 4096")
        }
        let whole = CompoundFileBuilder.workbook(stream).build()
        let cut = try dir.write("cut.xls", bytes: Array(whole.prefix(whole.count - 700)))
        #expect { try XLSReader(path: cut) } throws: { "\($0)".contains("beyond the end of the file") }
        // A mini stream cut short, and a record running past the end of its stream.
        let small = try write(dir, "small.xls", stream: BIFF.book([BIFF.label(0, 0, "a")])) { layout in layout.entries[1].size += 64 * 8 }
        #expect { try XLSReader(path: small) } throws: { "\($0)".contains("cut short") }
        var overrun = BIFF.book([BIFF.label(0, 0, "a")])
        overrun += LE.u16(0x0204) + LE.u16(500)
        let past = try write(dir, "past.xls", stream: overrun)
        #expect(throws: Never.self) { try XLSReader(path: past) } // the sheet ends at its EOF, before the damage
        let damaged = BIFF.workbook(sheets: [("S", 0, [BIFF.label(0, 0, "a"), BIFF.label(1, 0, "b"), LE.u16(0x0204) + LE.u16(500)])])
        let reader = try XLSReader(path: write(dir, "damaged.xls", stream: Array(damaged.dropLast(4))))
        #expect { try readAll(reader) } throws: { "\($0)".contains("runs past its end") }
    }

    @Test func readsVersion4SectorsAndFATSectorsListedInDIFATSectors() throws {
        let dir = try Scratch()
        let stream = padded(BIFF.book([BIFF.label(0, 0, "big"), BIFF.label(1, 0, "x")]))
        let v4 = try dir.write("v4.xls", bytes: CompoundFileBuilder([("Workbook", stream)], sectorShift: 12).build())
        #expect(records(try readAll(XLSReader(path: v4))) == [["x"]])
        let v4mini = try dir.write("v4mini.xls", bytes: CompoundFileBuilder([("Workbook", BIFF.book([BIFF.label(0, 0, "small")]))], sectorShift: 12).build())
        #expect(try XLSReader(path: v4mini).header == ["small"])
        var builder = CompoundFileBuilder.workbook(stream)
        builder.paddingSectors = 14_000 // 110 FAT sectors: one more than the header lists
        let big = try dir.write("difat.xls", bytes: builder.build())
        #expect(try XLSReader(path: big).header == ["big"])
        // A declared count of FAT sectors far beyond the file is only a hint.
        let boast = try dir.write("boast.xls", bytes: CompoundFileBuilder.workbook(stream).build { $0.declaredFATSectors = 0xFFFF_FFF0 })
        #expect(try XLSReader(path: boast).header == ["big"])
    }

    @Test func listsChartsAndMacroSheetsButReadsOnlyWorksheets() throws {
        let dir = try Scratch()
        let stream = BIFF.workbook(sheets: [
            ("Chart1", 2, [BIFF.number(0, 0, 1)]),
            ("Data", 0, [BIFF.label(0, 0, "name"), BIFF.label(1, 0, "Ann")]),
            ("Macro1", 1, [BIFF.label(0, 0, "=HALT()")]),
        ])
        let path = try write(dir, "kinds.xls", stream: stream)
        let reader = try XLSReader(path: path)
        let listed = ["Chart1 (chart)", "Data", "Macro1 (macro sheet)"]
        #expect(reader.info.sheets == listed)
        #expect(reader.header == ["name"])
        #expect(try XLSReader(path: path, options: ReadOptions(sheet: .index(2))).header == ["name"])
        #expect(try XLSReader(path: path, options: ReadOptions(sheet: .name("data"))).header == ["name"])
        #expect(throws: TabularError.sheetNotFound(path: path, sheet: "1 (\"Chart1\" is a chart, which has no cells)", available: listed)) {
            try XLSReader(path: path, options: ReadOptions(sheet: .index(1)))
        }
        #expect(throws: TabularError.sheetNotFound(path: path, sheet: "\"Macro1 (macro sheet)\" (\"Macro1\" is a macro sheet, which has no cells)", available: listed)) {
            try XLSReader(path: path, options: ReadOptions(sheet: .name("Macro1 (macro sheet)")))
        }
        #expect(throws: TabularError.sheetNotFound(path: path, sheet: "\"Other\"", available: listed)) {
            try Tables.open(path: path, options: ReadOptions(sheet: .name("Other")))
        }
        #expect(throws: TabularError.sheetNotFound(path: path, sheet: "4", available: listed)) {
            try XLSReader(path: path, options: ReadOptions(sheet: .index(4)))
        }
        let charts = try write(dir, "charts.xls", stream: BIFF.workbook(sheets: [("Chart1", 2, [])]))
        #expect(throws: TabularError.sheetNotFound(path: charts, sheet: "1", available: ["Chart1 (chart)"])) { try XLSReader(path: charts) }
    }

    @Test func putsCellsInColumnOrderAndSkipsEmbeddedChartSubstreams() throws {
        let dir = try Scratch()
        let stream = BIFF.book([
            BIFF.label(0, 0, "a"), BIFF.label(0, 1, "b"), BIFF.label(0, 2, "c"),
            BIFF.number(1, 2, 3), BIFF.number(1, 0, 1), BIFF.number(1, 1, 2), BIFF.number(1, 0, 9),
            BIFF.bof(0x0020), BIFF.number(5, 5, 5), BIFF.label(2, 0, "inside a chart"), BIFF.eof,
            BIFF.label(2, 1, "after the chart"),
        ])
        let reader = try XLSReader(path: write(dir, "order.xls", stream: stream))
        #expect(records(try readAll(reader)) == [["9", "2", "3"], ["", "after the chart", ""]])
    }

    @Test func honoursTheReadingOptionsAsTheXLSXReaderDoes() throws {
        let dir = try Scratch()
        let stream = BIFF.book([
            BIFF.label(0, 0, "Title"),
            BIFF.label(2, 0, "Name"), BIFF.label(2, 1, "Name"), BIFF.label(2, 3, "Note"),
            BIFF.label(3, 0, "Ann"), BIFF.number(3, 1, 1), BIFF.label(3, 5, "beyond"),
            BIFF.label(4, 0, String(repeating: "x", count: 40)),
            BIFF.labelSST(5, 0, 0),
        ], strings: [String(repeating: "y", count: 40)])
        let path = try write(dir, "options.xls", stream: stream)
        var options = ReadOptions()
        options.headerRow = 3
        options.maxFieldBytes = 20
        let reader = try Tables.open(path: path, options: options)
        #expect(reader.header == ["Name", "Name_2", "column_3", "Note"])
        let events = try readAll(reader)
        #expect(events.first == .record(Record(values: ["Ann", "1", "", ""], number: 1, line: 4, warnings: ["cell F4 is right of the header's last column (D): ignored"])))
        #expect(rejections(events).map(\.reason) == [
            "cell A5 is longer than the 20 bytes cell ceiling: check the workbook, or raise max_field_bytes if the value is real",
            "cell A6 holds shared string 0, which is longer than the 20 bytes cell ceiling: check the workbook, or raise max_field_bytes if the value is real",
        ])
        #expect(reader.info.warnings.contains("passed over 1 row(s) above the header (skip = 0, header = 3)"))

        var skipped = ReadOptions()
        skipped.skip = 1
        #expect(try Tables.open(path: path, options: skipped).header == ["Name", "Name_2", "column_3", "Note"])

        // header = false: columns as wide as the widest row read as a record.
        var numbered = ReadOptions(header: false)
        numbered.skip = 2
        let plain = try Tables.open(path: path, options: numbered)
        #expect(plain.header == ["column_1", "column_2", "column_3", "column_4", "column_5", "column_6"])
        #expect(records(try readAll(plain)).first == ["Ann", "1", "", "", "", "beyond"])
        #expect(throws: TabularError.self) { try Tables.open(path: path, options: ReadOptions(sheet: .index(2))) }
    }

    @Test func theFuzzTargetPutsAWorkbookStreamInACompoundFile() throws {
        let dir = try Scratch()
        let target = FuzzTarget(format: .xlsBIFF, directory: dir.directory.path)
        let outcome = try target.run(BIFF.book([BIFF.label(0, 0, "a"), BIFF.number(1, 0, 1), BIFF.labelSST(2, 0, 9)]))
        #expect(outcome.records == 1 && outcome.rejected == 1 && outcome.error == nil)
        let raw = FuzzTarget(format: .xls, directory: dir.directory.path)
        #expect(try raw.run(Array(CompoundFileBuilder.workbook(BIFF.book([BIFF.label(0, 0, "a"), BIFF.number(1, 0, 1)])).build())).records == 1)
        #expect(try raw.run(Array(CompoundFile.signature)).error?.contains("not a workbook Roster can read") == true)
    }

    @Test func opensByContentWhateverTheExtension() throws {
        let dir = try Scratch()
        let bytes = CompoundFileBuilder.workbook(BIFF.book([BIFF.label(0, 0, "x")])).build()
        let path = try dir.write("export.bin", bytes: bytes)
        #expect(try Tables.detectFormat(path: path) == .xls)
        #expect(try Tables.open(path: path).header == ["x"])
        let text = try dir.write("tab.xls", "a\tb\n")
        #expect(throws: TabularError.legacyWorkbook(path: text, encrypted: false)) { try Tables.open(path: text) }
        #expect(throws: TabularError.legacyWorkbook(path: text, encrypted: false)) { try Tables.open(path: text, options: ReadOptions(format: .xls)) }
    }
}

@Suite struct XLSFormatOptionTests {
    @Test func forcingXLSXOnALegacyWorkbookSaysWhatItIs() throws {
        let dir = try Scratch()
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/xls").path
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: source).first { $0.hasSuffix(".xls") })
        let path = dir.path("book.xls")
        try FileManager.default.copyItem(atPath: source + "/" + name, toPath: path)
        #expect(try Tables.open(path: path).info.format == .xls)
        var options = ReadOptions()
        options.format = .xlsx
        #expect { try Tables.open(path: path, options: options) } throws: { "\($0)".contains("compound (OLE2) file, not XLSX") }
    }
}

@Suite struct UTF16TextTests {
    /// The standard library's reading of `units`, which UTF16Text must match (unpaired surrogates as U+FFFD).
    private func expected(_ units: [UInt16]) -> String { String(decoding: units, as: UTF16.self) }

    @Test func readsEveryKindOfUnitAsTheStandardLibraryDoes() {
        var scratch: [UInt8] = []
        let cases: [[UInt16]] = [
            [], [0x41], [0x00], [0x7F, 0x80], [0xE9, 0x7FF, 0x800, 0xFFFF], [0x65E5, 0x672C],
            [0xD83D, 0xDE00], // 😀 as a surrogate pair
            [0xD83D], [0xDE00], [0xDE00, 0xD83D], [0xD83D, 0x41], [0xD83D, 0xD83D, 0xDE00], [0x41, 0xDBFF, 0xDFFF, 0xDC00],
            [0xE000, 0xD7FF, 0xFFFD],
        ]
        for units in cases {
            #expect(UTF16Text.string(units, scratch: &scratch) == expected(units), "units \(units)")
            #expect(Array(UTF16Text.string(units, scratch: &scratch).utf8) == Array(expected(units).utf8))
        }
    }

    @Test func matchesTheStandardLibraryOnMixedUnits() {
        // Units drawn mostly from the ranges where encodings change, surrogates included, from a fixed seed.
        let pool: [ClosedRange<UInt16>] = [0 ... 0x7F, 0x80 ... 0x7FF, 0x800 ... 0xD7FF, 0xD800 ... 0xDBFF, 0xDC00 ... 0xDFFF, 0xE000 ... 0xFFFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var scratch: [UInt8] = []
        for _ in 0 ..< 2000 {
            let units = (0 ..< Int(next() % 12)).map { _ -> UInt16 in
                let range = pool[Int(next() % UInt64(pool.count))]
                return range.lowerBound &+ UInt16(truncatingIfNeeded: next() % UInt64(Int(range.upperBound - range.lowerBound) + 1))
            }
            #expect(Array(UTF16Text.string(units, scratch: &scratch).utf8) == Array(expected(units).utf8), "units \(units)")
        }
    }
}
