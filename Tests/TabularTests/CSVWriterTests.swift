import Foundation
import PropertyBased
import Testing
@testable import Tabular

@Suite struct CSVWriterTests {
    @Test func quotesOnlyWhereNeededAndUsesCRLF() throws {
        let out = ByteOutput(memoryNamed: "mem")
        let writer = CSVWriter(output: out)
        try writer.writeHeader(["name", "note"])
        try writer.writeRow(["Ann", "a,b"])
        try writer.writeRow(["say \"hi\"", "two\nlines"])
        try writer.writeRow([" lead", "trail "])
        try writer.writeRow(["Zoë", "cr\rx"])
        let summary = try writer.finish()
        let text = String(decoding: try out.takeBytes(), as: UTF8.self)
        #expect(text == "name,note\r\nAnn,\"a,b\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n\" lead\",\"trail \"\r\nZoë,\"cr\rx\"\r\n")
        #expect(summary == WriteSummary(path: "mem", rows: 4, bytes: text.utf8.count))
    }

    @Test func writesFileWithoutBOMAndReportsSummary() throws {
        let dir = try Scratch()
        let path = dir.path("out.csv")
        let writer = try Tables.writer(path: path, format: .csv)
        try writer.writeHeader(["a"])
        try writer.writeRow(["1"])
        let summary = try writer.finish()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes == Array("a\r\n1\r\n".utf8))
        #expect(summary == WriteSummary(path: path, rows: 1, bytes: 6))
    }

    @Test func refusesRowOfWrongWidth() throws {
        let writer = CSVWriter(output: ByteOutput(memoryNamed: "mem"))
        try writer.writeHeader(["a", "b"])
        #expect(throws: TabularError.writerMisuse(path: "mem", row: 1, detail: "row has 1 values, the header has 2: align values with the header")) {
            try writer.writeRow(["x"])
        }
    }

    @Test func writesToAGivenFileDescriptor() throws {
        let dir = try Scratch()
        let path = dir.path("fd.csv")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let writer = CSVWriter(output: ByteOutput(fileDescriptor: handle.fileDescriptor, path: path))
        try writer.writeHeader(["x"])
        try writer.writeRow(["y"])
        _ = try writer.finish()
        try handle.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "x\r\ny\r\n")
    }

    static let alphabet: [Character] = ["a", "Z", "0", " ", ",", ";", "\"", "\n", "\r", "\r\n", "\t", "é", "ß", "😀", "字", "|"]

    @Test func roundTripsArbitraryStrings() async throws {
        let dir = try Scratch()
        let rows = Gen.int(in: 0 ... Self.alphabet.count - 1).map { Self.alphabet[$0] }.string(of: 0 ... 8).array(of: 3).array(of: 1 ... 6)
        let counter = Counter()
        await propertyCheck(input: rows) { rows in
            do {
                let path = dir.path("rt-\(counter.next()).csv")
                let writer = try CSVWriter(path: path)
                try writer.writeHeader(["a", "b", "c"])
                for row in rows { try writer.writeRow(row) }
                _ = try writer.finish()
                let reader = try CSVReader(path: path)
                #expect(reader.header == ["a", "b", "c"])
                #expect(records(try readAll(reader)) == rows)
            } catch {
                Issue.record("round trip threw \(error)")
            }
        }
    }
}

/// Distinct file names for property-check iterations.
final class Counter: @unchecked Sendable { // only touched from the property-check closure, which runs its iterations one at a time
    private var value = 0
    func next() -> Int {
        value += 1
        return value
    }
}

@Suite struct CSVWriterPartTests {
    @Test func encodedLengthPredictsBytesForSplittingIntoParts() throws {
        let out = ByteOutput(memoryNamed: "part")
        let writer = try Tables.writer(output: out, format: .csv)
        guard let csv = writer as? CSVWriter else {
            Issue.record("expected a CSVWriter")
            return
        }
        try csv.writeHeader(["a", "b"])
        let before = out.totalBytes
        let row = ["say \"hi\"", "x,y"]
        let predicted = csv.encodedLength(of: row)
        try csv.writeRow(row)
        #expect(predicted == 20)
        #expect(out.totalBytes - before == predicted)
        #expect(csv.encodedLength(of: ["", ""]) == 3)
    }
}
