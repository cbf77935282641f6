import Foundation
import PropertyBased
import Testing
@testable import Tabular

/// Write then read gives the same rows, for every writer/reader pair.
@Suite struct RoundTripTests {
    static let alphabet: [Character] = ["a", "Z", "0", " ", ",", "\"", "<", ">", "&", "'", "\\", "/", "\n", "\r", "\r\n", "\t", "é", "😀", "字", "{", "]"]
    static let rows = Gen.int(in: 0 ... alphabet.count - 1).map { alphabet[$0] }.string(of: 0 ... 6).array(of: 2).array(of: 1 ... 5)

    func roundTrip(_ format: TableFormat, _ rows: [[String]], in dir: Scratch, name: String) throws -> [[String]] {
        let path = dir.path(name)
        let writer = try Tables.writer(path: path, format: format)
        try writer.writeHeader(["firstName", "lastName"])
        for row in rows { try writer.writeRow(row) }
        _ = try writer.finish()
        let reader = try Tables.open(path: path)
        #expect(reader.info.format == format)
        #expect(reader.header == ["firstName", "lastName"])
        return records(try readAll(reader))
    }

    @Test func jsonRoundTripsArbitraryStrings() async throws {
        let dir = try Scratch()
        let counter = Counter()
        await propertyCheck(input: Self.rows) { rows in
            #expect((try? roundTrip(.json, rows, in: dir, name: "j\(counter.next()).json")) == rows)
        }
    }

    @Test func xmlRoundTripsArbitraryStrings() async throws {
        let dir = try Scratch()
        let counter = Counter()
        await propertyCheck(input: Self.rows) { rows in
            #expect((try? roundTrip(.xml, rows, in: dir, name: "x\(counter.next()).xml")) == rows)
        }
    }
}
