import Foundation
import Testing
@testable import Tabular

@Suite struct CSVReaderTests {
    @Test func rejectsSeedRecordWithExtraFieldAndNamesLine() throws {
        let dir = try Scratch()
        let reader = try Tables.open(path: dir.write("seed.csv", seedCSV))
        #expect(reader.header == ["firstName", "lastName", "workEmailAddress1", "workMobilePhone1", "workCountry", "timezone"])
        let events = try readAll(reader)
        #expect(events.count == 2)
        #expect(events[0] == .record(Record(values: ["John", "Smith", "john.smith@testcompany.com", "61423456789", "Australia", "+10"], number: 1, line: 2)))
        guard case let .rejected(rejected) = events[1] else {
            Issue.record("expected a rejection, got \(events[1])")
            return
        }
        #expect(rejected.number == 2)
        #expect(rejected.line == 3)
        #expect(rejected.values.count == 7)
        #expect(rejected.reason.contains("7 fields"))
        #expect(reader.info.format == .csv)
        #expect(reader.info.encoding == "utf-8")
        #expect(reader.info.delimiter == UInt8(ascii: ","))
    }

    @Test func readsQuotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let dir = try Scratch()
        let text = "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nplain,,last\r\n"
        let reader = try CSVReader(path: dir.write("q.csv", text))
        let events = try readAll(reader)
        #expect(records(events) == [["x,1", "say \"hi\"", "two\r\nlines"], ["plain", "", "last"]])
        #expect(events.map { if case let .record(r) = $0 { r.line } else { 0 } } == [2, 4])
    }

    @Test func acceptsLoneCRAndLFLineEndingsAndMissingFinalNewline() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("cr.csv", "h1,h2\rA,B\nC,D\r\nE,F"))
        let events = try readAll(reader)
        #expect(records(events) == [["A", "B"], ["C", "D"], ["E", "F"]])
        #expect(events.map { if case let .record(r) = $0 { r.line } else { 0 } } == [2, 3, 4])
    }

    @Test func sniffsSemicolonTabAndPipeDelimiters() throws {
        let dir = try Scratch()
        for (name, d) in [("semi", ";"), ("tab", "\t"), ("pipe", "|")] {
            let text = "name\(d)city\(d)note\n\"Ann, Jr\"\(d)Paris\(d)x\nBob\(d)Rome\(d)y\n"
            let reader = try CSVReader(path: dir.write("\(name).csv", text))
            #expect(reader.delimiter == UInt8(ascii: Unicode.Scalar(d) ?? ","))
            #expect(reader.header == ["name", "city", "note"])
            #expect(records(try readAll(reader)) == [["Ann, Jr", "Paris", "x"], ["Bob", "Rome", "y"]])
        }
    }

    @Test func delimiterOptionOverridesSniffing() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("o.csv", "a;b,c\n1;2,3\n"), options: ReadOptions(delimiter: UInt8(ascii: ",")))
        #expect(reader.header == ["a;b", "c"])
    }

    @Test func makesBlankAndDuplicateHeadersUniqueWithWarnings() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("h.csv", "Email,Name,,Email,Email\n1,2,3,4,5\n"))
        #expect(reader.header == ["Email", "Name", "column_3", "Email_2", "Email_3"])
        #expect(reader.info.warnings.count == 3)
        #expect(reader.info.warnings[0] == "column 3 has a blank header: named it column_3")
    }

    @Test func rejectsAShortRecordByDefaultSoACutOffOptOutIsNeverGuessed() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("s.csv", "phone,name,opt_out\n+61412345678,Ann,yes\n+61412000000,Bob\n+61400000000,Cy,no\n"))
        let events = try readAll(reader)
        #expect(records(events) == [["+61412345678", "Ann", "yes"], ["+61400000000", "Cy", "no"]])
        let rejected = try #require(rejections(events).first)
        #expect(rejected.number == 2 && rejected.line == 3)
        #expect(rejected.reason.hasPrefix("record has 2 field(s), the header has 3"))
        #expect(rejected.reason.contains("ragged = \"pad\""))
        #expect(rejected.values == ["+61412000000", "Bob"])
    }

    @Test func aShortRecordIsRejectedOnTheByteCopyPathToo() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("s.csv", "a,b\n1,2\n3\n"))
        let writer = CSVWriter(output: try ByteOutput(path: dir.path("out.csv")))
        var rejected: [RejectedRecord] = []
        let summary = try TableCopy.copy(from: reader, to: writer) { rejected.append($0) }
        #expect(summary.rows == 1)
        #expect(rejected.map(\.line) == [3])
    }

    @Test func titleRowsAboveTheHeaderArePassedOverWithHeaderOrSkip() throws {
        let dir = try Scratch()
        let text = "First Credit Union export\nRun 2026-12-01,,\nphone,name,opt_out\n1,Ann,no\n"
        for (header, skip) in [(3, 0), (1, 2)] {
            var options = ReadOptions()
            options.headerRow = header
            options.skip = skip
            let reader = try CSVReader(path: dir.write("t.csv", text), options: options)
            #expect(reader.header == ["phone", "name", "opt_out"])
            let events = try readAll(reader)
            #expect(records(events) == [["1", "Ann", "no"]])
            #expect(events.map { if case let .record(r) = $0 { r.number * 100 + r.line } else { 0 } } == [104])
            #expect(reader.info.warnings.contains("passed over 2 row(s) above the header (skip = \(skip), header = \(header))"))
        }
    }

    @Test func padsShortRecordsWhenAskedAndNotesEachOne() throws {
        let dir = try Scratch()
        var text = "a,b,c\n"
        for i in 1 ... 15 { text += "\(i)\n" }
        var options = ReadOptions()
        options.ragged = .pad
        let reader = try CSVReader(path: dir.write("s.csv", text), options: options)
        let events = try readAll(reader)
        let rows = records(events)
        #expect(rows.count == 15)
        #expect(rows[0] == ["1", "", ""])
        // Each padded record carries its own warning (all 15, none capped away); the file-level log stays clean.
        let notes = events.compactMap { if case let .record(r) = $0 { r.warnings } else { nil } }
        #expect(notes.count == 15 && notes.allSatisfy { $0 == ["1 field(s), the header has 3: padded with empty values (ragged = \"pad\")"] })
        #expect(reader.info.warnings.isEmpty)
    }

    @Test func skipsBlankLinesAndNotesThem() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("b.csv", "\n\na,b\n1,2\n\r\n\n3,4\n"))
        let events = try readAll(reader)
        #expect(reader.header == ["a", "b"])
        #expect(events == [.record(Record(values: ["1", "2"], number: 1, line: 4)), .record(Record(values: ["3", "4"], number: 2, line: 7))])
        #expect(reader.info.warnings == ["skipped 4 blank line(s)"])
    }

    @Test func rejectsUnterminatedQuoteWithItsLineAndResumesOnTheNext() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("u.csv", "a,b\n1,2\n3,\"open\n4,5\n"))
        let events = try readAll(reader)
        #expect(records(events) == [["1", "2"], ["4", "5"]])
        #expect(events.map { if case let .record(r) = $0 { r.line } else { 0 } } == [2, 0, 4])
        let rejected = rejections(events)
        #expect(rejected.count == 1)
        #expect(rejected.first?.number == 2)
        #expect(rejected.first?.line == 3)
        #expect(rejected.first?.values == ["3", "open"])
        #expect(rejected.first?.reason.hasPrefix("unterminated quoted field") == true)
    }

    @Test func aQuoteOpenPastTheFieldCeilingToTheEndIsOneRejectionNeverPhantomRecords() throws {
        let dir = try Scratch()
        var text = "a,b\n\"never closed,x\n"
        for i in 0 ..< 5000 { text += "row\(i),\(i)\n" }
        var options = ReadOptions()
        options.maxFieldBytes = 1000
        let reader = try CSVReader(path: dir.write("long.csv", text), options: options)
        let events = try readAll(reader)
        #expect(events.count == 1)
        let rejected = try #require(rejections(events).first)
        #expect(rejected.line == 2)
        #expect(rejected.reason.contains("never closed") && rejected.reason.contains("nothing after this line was read"))
        #expect(rejected.values.first?.hasPrefix("never closed,x") == true)
        #expect(rejected.values.first?.utf8.count ?? 0 < 1100)
    }

    @Test func aFieldPastTheCeilingRejectsItsRecordAndReadingGoesOnAfterItsRealEnd() throws {
        let dir = try Scratch()
        let big = String(repeating: "y", count: 5000) + "\n" + String(repeating: "z", count: 5000)
        let text = "a,b,c\n1,\"\(big)\",tail\n2,ok,x\n3,\(String(repeating: "u", count: 3000)),x\n4,fine,x\n"
        var options = ReadOptions()
        options.maxFieldBytes = 1000
        let reader = try CSVReader(path: dir.write("big.csv", text), options: options)
        let events = try readAll(reader)
        #expect(records(events) == [["2", "ok", "x"], ["4", "fine", "x"]])
        #expect(events.map { if case let .record(r) = $0 { r.line } else if case let .rejected(r) = $0 { -r.line } else { 0 } } == [-2, 4, -5, 6])
        let rejected = rejections(events)
        #expect(rejected.map(\.number) == [1, 3])
        #expect(rejected.first?.reason.contains("field 2 is longer than the 1000 bytes field ceiling") == true)
        #expect(rejected.first?.values.first == "1")
        #expect(rejected.last?.reason.contains("field 2") == true)
    }

    @Test func rejectsTextAfterClosingQuoteAndGoesOn() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("t.csv", "a,b\n\"x\"y,2\n3,4\n"))
        let events = try readAll(reader)
        #expect(rejections(events).map(\.values) == [["\"x\"y", "2"]])
        #expect(records(events) == [["3", "4"]])
    }

    @Test func stripsUTF8ByteOrderMark() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("name,city\nZoë,Köln\n".utf8)))
        #expect(reader.header == ["name", "city"])
        #expect(records(try readAll(reader)) == [["Zoë", "Köln"]])
        #expect(reader.info.encoding == "utf-8")
    }

    @Test func decodesUTF16LittleAndBigEndianWithBOM() throws {
        let dir = try Scratch()
        let text = "name;city\r\nZoë;Kraków 😀\r\n"
        let units = Array(text.utf16)
        let le: [UInt8] = [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be: [UInt8] = [0xFE, 0xFF] + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for (name, bytes, encoding) in [("le.csv", le, "utf-16le"), ("be.csv", be, "utf-16be")] {
            let reader = try Tables.open(path: dir.write(name, bytes: bytes))
            #expect(reader.header == ["name", "city"])
            #expect(records(try readAll(reader)) == [["Zoë", "Kraków 😀"]])
            #expect(reader.info.encoding == encoding)
            #expect(reader.info.delimiter == UInt8(ascii: ";"))
        }
    }

    @Test func detectsWindows1252AndWarns() throws {
        let dir = try Scratch()
        // "Zoë" and "café €5" in Windows-1252.
        let bytes: [UInt8] = Array("name,note\nZo".utf8) + [0xEB] + Array(",caf".utf8) + [0xE9, 0x20, 0x80] + Array("5\n".utf8)
        let reader = try Tables.open(path: dir.write("w.csv", bytes: bytes))
        #expect(records(try readAll(reader)) == [["Zoë", "café €5"]])
        #expect(reader.info.encoding == "windows-1252")
        #expect(reader.info.warnings.first?.contains("not valid UTF-8") == true)
    }

    @Test func rejectsRecordWithBadBytesInUTF8FileAndGoesOn() throws {
        let dir = try Scratch()
        var bytes = Array("name,note\n".utf8)
        for i in 0 ..< 7000 { bytes += Array("row\(i),ok\n".utf8) }
        bytes += Array("bad".utf8) + [0xFF, 0xFE] + Array(",x\nlast,y\n".utf8)
        let reader = try CSVReader(path: dir.write("m.csv", bytes: bytes))
        #expect(reader.info.encoding == "utf-8")
        let events = try readAll(reader)
        let rejected = rejections(events)
        #expect(rejected.count == 1)
        #expect(rejected.first?.line == 7002)
        #expect(rejected.first?.number == 7001)
        #expect(records(events).last == ["last", "y"])
        #expect(reader.info.warnings.contains { $0.contains("mixed encodings") })
    }

    @Test func readsWithoutHeaderAsNumberedColumns() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("n.csv", "1,2\n3,4\n"), options: ReadOptions(header: false))
        #expect(reader.header == ["column_1", "column_2"])
        #expect(try readAll(reader) == [.record(Record(values: ["1", "2"], number: 1, line: 1)), .record(Record(values: ["3", "4"], number: 2, line: 2))])
    }

    @Test func readsRecordsLargerThanTheBuffer() throws {
        let dir = try Scratch()
        let big = String(repeating: "xy\"z,\n", count: 200_000)
        let escaped = big.replacingOccurrences(of: "\"", with: "\"\"")
        let reader = try CSVReader(path: dir.write("big.csv", "a,b\n\"\(escaped)\",tail\nnext,row\n"))
        let rows = records(try readAll(reader))
        #expect(rows.count == 2)
        #expect(rows[0] == [big, "tail"])
        #expect(rows[1] == ["next", "row"])
    }

    @Test func emptyFileHasNoHeaderAndNoRecords() throws {
        let dir = try Scratch()
        let reader = try CSVReader(path: dir.write("e.csv", ""))
        #expect(reader.header == [])
        #expect(try reader.next() == nil)
    }
}

@Suite struct CSVEncodingOptionTests {
    @Test func encodingOptionOverridesDetection() throws {
        let dir = try Scratch()
        // Valid UTF-8 bytes, read as Windows-1252 on request: "Ã©" instead of "é".
        let path = try dir.write("o.csv", "a\né\n")
        let reader = try CSVReader(path: path, options: ReadOptions(encoding: "windows-1252"))
        #expect(records(try readAll(reader)) == [["Ã©"]])
        #expect(reader.info.encoding == "windows-1252")
        #expect(reader.info.warnings == [])
    }

    @Test func unknownEncodingNamesTheChoices() throws {
        let dir = try Scratch()
        let path = try dir.write("o.csv", "a\n1\n")
        #expect(throws: TabularError.badOption(path: path, option: "encoding",
                                               detail: "unknown encoding \"ebcdic\"; use auto, utf-8, utf-16 (utf-16le, utf-16be), cp1252 (windows-1252) or latin-1")) {
            try CSVReader(path: path, options: ReadOptions(encoding: "ebcdic"))
        }
    }
}
