import Foundation
import Testing
@testable import Tabular

@Suite struct TableCopyTests {
    @Test func byteLevelCSVCopyMatchesGenericWriterAndReportsRejections() throws {
        let dir = try Scratch()
        let input = dir.path("in.csv")
        try dir.write("in.csv", "a;b;c\n\"x;1\";\"q\"\"q\"; lead\nshort\n1;2;3;4\n\"open\n")
        var rejected: [RejectedRecord] = []
        let fast = try TableCopy.copy(from: CSVReader(path: input), to: CSVWriter(path: dir.path("fast.csv"))) { rejected.append($0) }
        // The generic loop over Strings must give the same bytes.
        let reader = try CSVReader(path: input)
        let slow = try CSVWriter(path: dir.path("slow.csv"))
        try slow.writeHeader(reader.header)
        while let event = try reader.next() {
            if case let .record(record) = event { try slow.writeRow(record.values) }
        }
        _ = try slow.finish()
        let fastText = try String(contentsOfFile: dir.path("fast.csv"), encoding: .utf8)
        #expect(fastText == "a,b,c\r\nx;1,\"q\"\"q\",\" lead\"\r\n")  // "short" is rejected: never padded unless asked
        #expect(fastText == (try String(contentsOfFile: dir.path("slow.csv"), encoding: .utf8)))
        #expect(fast.rows == 1)
        #expect(fast.bytes == fastText.utf8.count)
        #expect(rejected.map(\.line) == [3, 4, 5])
        #expect(rejected.map(\.number) == [2, 3, 4])
    }

    @Test func genericCopyWritesJSONFromCSV() throws {
        let dir = try Scratch()
        let out = ByteOutput(memoryNamed: "mem")
        let summary = try TableCopy.copy(from: CSVReader(path: dir.write("in.csv", "a,b\n1,\"x\"\"y\"\n")), to: JSONContactWriter(output: out))
        #expect(String(decoding: try out.takeBytes(), as: UTF8.self) == "{\"contacts\":[\n{\"a\":\"1\",\"b\":\"x\\\"y\"}\n]}\n")
        #expect(summary.rows == 1)
    }
}
