import Foundation
import Testing
@testable import Tabular

// Workbooks LibreOffice wrote (Fixtures/xls, made by make_fixtures.py): each .xls reads exactly as its .xlsx twin
// reads through the XLSX reader, and every cell equals what xlrd, an independent reader, finds in it.

@Suite struct XLSFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/xls").path
    static let names = ["contacts", "strings", "workbook", "dates1904"]

    @Test(arguments: names)
    func readsAsItsXLSXTwinReads(name: String) throws {
        let xls = Self.folder + "/\(name).xls"
        let twin = try XLSXReader(path: Self.folder + "/\(name).xlsx")
        #expect(try XLSReader(path: xls).info.sheets == twin.sheetNames)
        for sheet in 1 ... twin.sheetNames.count {
            for header in [true, false] {
                let options = ReadOptions(sheet: .index(sheet), header: header)
                let legacy = try Tables.open(path: xls, options: options)
                let modern = try Tables.open(path: Self.folder + "/\(name).xlsx", options: options)
                #expect(legacy.info.format == .xls)
                #expect(legacy.header == modern.header, "\(name) sheet \(sheet) header \(header)")
                let events = try readAll(legacy)
                #expect(events == (try readAll(modern)), "\(name) sheet \(sheet) header \(header)")
                #expect(!events.isEmpty)
            }
        }
    }

    @Test func theFixturesCoverWhatTheyAreFor() throws {
        let strings = try Tables.open(path: Self.folder + "/strings.xls")
        let values = records(try readAll(strings)).map { $0[1] }
        #expect(values.contains("😀" + String(repeating: "😀", count: 2999) + "!"))
        #expect(values.contains(String(repeating: "é", count: 8300) + String(repeating: "字", count: 50) + "end"))
        // The default ceiling is far above these; a low one rejects the long strings' rows.
        var low = ReadOptions()
        low.maxFieldBytes = 1000
        #expect(rejections(try readAll(Tables.open(path: Self.folder + "/strings.xls", options: low))).count == 4)
        let book = try XLSReader(path: Self.folder + "/workbook.xls")
        #expect(book.info.sheets == ["Contacts", "Übersicht – 2024", "Numbers"])
        let first = try readAll(book)
        #expect(first.first == .record(Record(
            values: ["Ann Smith", "61423456789", "TRUE", "2020-02-28", "1984-07-04", "13:45:00", "2021-06-30T08:05:00", "255:10:10",
                     "2020-02-29", "84", "TRUE", "", "", "0.125", "1234.5", "007"],
            number: 1, line: 2,
            warnings: ["cell B2 holds 61423456789 as a number: if it is a phone number, format the column as Text (leading zeros and + are lost)",
                       "cell L2 holds the error #DIV/0!: read as empty"])))
        let mac = try XLSReader(path: Self.folder + "/dates1904.xls")
        #expect(records(try readAll(mac)) == [["Ann", "2020-02-28", "2021-06-30T13:45:00", "42"], ["Bob", "1904-01-02", "1999-12-31T23:59:00", "1462"]])
    }

    /// Every non-empty cell of every worksheet as xlrd reads it, normalised as Roster shows values: numbers as a
    /// person sees them, dates ISO 8601 (xlrd.xldate_as_datetime, the kind taken from the cell's format), text as is.
    static let xlrdScript = #"""
    import json, re, sys, datetime, xlrd

    def number(v):
        return str(int(v)) if v == int(v) and abs(v) < 1e17 else repr(v)

    def kind(code):
        bare = re.sub(r'"[^"]*"|\\.|_.|\*.', '', code.split(';')[0].lower())
        if re.search(r'\[(h+|m+|s+)\]', bare):
            return 'elapsed'
        bare = re.sub(r'\[[^\]]*\]', '', bare)
        has_date = 'd' in bare or 'y' in bare
        has_time = 'h' in bare or 's' in bare
        if has_date and has_time: return 'datetime'
        if has_date or ('m' in bare and not has_time): return 'date'
        return 'time'

    def date(book, v, code):
        k = kind(code)
        # Excel has no dates before 1900 or after 9999 (it shows ####): such a serial stays a number.
        if k != 'elapsed' and not 0 <= v < 2958466:
            return number(v)
        if k == 'elapsed':
            total = round(abs(v) * 86400)
            return '%s%d:%02d:%02d' % ('-' if v < 0 and total else '', total // 3600, total // 60 % 60, total % 60)
        days = int(v // 1)
        seconds = round((v - days) * 86400)
        if seconds == 86400: days, seconds = days + 1, 0
        clock = '%02d:%02d:%02d' % (seconds // 3600, seconds // 60 % 60, seconds % 60)
        if k == 'time' and days == 0: return clock
        day = xlrd.xldate_as_datetime(days, book.datemode).date().isoformat()
        if k == 'date' and seconds == 0: return day
        return day + 'T' + clock

    out = {}
    for path in sys.argv[1:]:
        book = xlrd.open_workbook(path, formatting_info=True)
        sheets = {}
        for sheet in book.sheets():
            cells = []
            for r in range(sheet.nrows):
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    if cell.ctype == xlrd.XL_CELL_TEXT: text = cell.value
                    elif cell.ctype == xlrd.XL_CELL_NUMBER: text = number(cell.value)
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN: text = 'TRUE' if cell.value else 'FALSE'
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        code = book.format_map[book.xf_list[cell.xf_index].format_key].format_str
                        text = date(book, cell.value, code)
                    else: text = ''
                    if text != '': cells.append([r + 1, c, text])
            sheets[sheet.name] = cells
        out[path] = sheets
    json.dump(out, sys.stdout)
    """#

    @Test func everyCellEqualsWhatXlrdReads() throws {
        let paths = Self.names.map { Self.folder + "/\($0).xls" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.xlrdScript] + paths
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("xlrd did not run (scripts/setup installs it): \(problem.suffix(400))")
            return
        }
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: [[Any]]]])
        var compared = 0
        for path in paths {
            let sheets = try #require(expected[path])
            for (name, cells) in sheets {
                let reader = try Tables.open(path: path, options: ReadOptions(sheet: .name(name), header: false))
                var ours: [String] = []
                for event in try readAll(reader) {
                    guard case let .record(record) = event else { Issue.record("\(path) \(name): \(event)"); continue }
                    for (column, value) in record.values.enumerated() where !value.isEmpty {
                        ours.append("\(record.line):\(column):\(value)")
                    }
                }
                let theirs = cells.compactMap { cell -> String? in
                    guard cell.count == 3, let row = cell[0] as? Int, let column = cell[1] as? Int, let text = cell[2] as? String else { return nil }
                    return "\(row):\(column):\(text)"
                }
                #expect(theirs.count == cells.count)
                #expect(ours.sorted() == theirs.sorted(), "\(path) sheet \(name)")
                compared += theirs.count
            }
        }
        #expect(compared > 500)
    }
}
