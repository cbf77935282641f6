import Foundation
import Testing
@testable import Tabular

let seedJSON = """
{
  "contacts" : [{
    "firstName": "John",
    "lastName": "Smith",
    "workEmailAddress1": "john.smith@testcompany.com",
    "workMobilePhone1": "61423456789",
    "workCountry": "Australia",
    "timezone": "+10"
  },{
    "firstName": "Jane",
    "lastName": "Smith",
    "workEmailAddress1": "jane.smith@testcompany.com",
    "workMobilePhone1": "61498765432",
    "workCountry": "Australia",
    "timezone": "+10"
  }]
}
"""

@Suite struct JSONReaderTests {
    @Test func readsWhispirSeedDocument() throws {
        let dir = try Scratch()
        let reader = try Tables.open(path: dir.write("seed.json", seedJSON))
        #expect(reader.info.format == .json)
        #expect(reader.header == ["firstName", "lastName", "workEmailAddress1", "workMobilePhone1", "workCountry", "timezone"])
        #expect(try readAll(reader) == [
            .record(Record(values: ["John", "Smith", "john.smith@testcompany.com", "61423456789", "Australia", "+10"], number: 1, line: 2)),
            .record(Record(values: ["Jane", "Smith", "jane.smith@testcompany.com", "61498765432", "Australia", "+10"], number: 2, line: 9)),
        ])
    }

    @Test func readsTopLevelArrayWithFlattenedNestedObjectsAndUnionHeader() throws {
        let dir = try Scratch()
        let text = #"[{"name":"Ann","address":{"city":"Perth","geo":{"lat":-31.95}},"vip":true},"#
            + "\n" + #"{"name":"Bob","phone":1.4076341732E10,"vip":false,"tags":["a",{"b":null}],"note":null}]"#
        let reader = try JSONReader(path: dir.write("a.json", text))
        #expect(reader.layout == .array)
        #expect(reader.header == ["name", "address.city", "address.geo.lat", "vip", "phone", "tags", "note"])
        #expect(records(try readAll(reader)) == [
            ["Ann", "Perth", "-31.95", "true", "", "", ""],
            ["Bob", "", "", "false", "1.4076341732E10", #"["a",{"b":null}]"#, ""],
        ])
    }

    @Test func readsJSONLinesAndRejectsABadLine() throws {
        let dir = try Scratch()
        let text = "{\"a\":\"1\",\"b\":\"x\\\"y\\u00e9\\ud83d\\ude00\"}\n{\"a\":2,oops}\n{\"a\":\"3\",\"c\":\"new\"}\n"
        let reader = try JSONReader(path: dir.write("l.jsonl", text))
        #expect(reader.layout == .lines)
        #expect(reader.header == ["a", "b", "c"])
        let events = try readAll(reader)
        #expect(records(events) == [["1", "x\"yé😀", ""], ["3", "", "new"]])
        #expect(rejections(events).map(\.line) == [2])
        #expect(rejections(events).map(\.number) == [2])
    }

    @Test func rejectsNonObjectElements() throws {
        let dir = try Scratch()
        let reader = try JSONReader(path: dir.write("n.json", #"{"contacts":[{"a":"x"}, 42, {"a":"y"}]}"#))
        let events = try readAll(reader)
        #expect(records(events) == [["x"], ["y"]])
        #expect(rejections(events).map(\.values) == [["42"]])
    }

    @Test func skipsOtherTopLevelKeysAroundTheRecordsArray() throws {
        let dir = try Scratch()
        let reader = try JSONReader(path: dir.write("w.json", #"{"status":"ok","meta":{"n":2},"people":[{"id":1},{"id":2}],"tail":[1]}"#))
        #expect(reader.layout == .wrapped("people"))
        #expect(reader.header == ["id"])
        #expect(records(try readAll(reader)) == [["1"], ["2"]])
    }

    @Test func streamsRecordsAcrossBufferRefills() throws {
        let dir = try Scratch()
        var text = "{\"contacts\":["
        for i in 0 ..< 20000 { text += (i > 0 ? ",\n" : "\n") + "{\"n\":\(i),\"s\":\"\(String(repeating: "é", count: i % 50))\"}" }
        text += "\n]}"
        let reader = try JSONReader(path: dir.write("big.json", text))
        let rows = records(try readAll(reader))
        #expect(rows.count == 20000)
        #expect(rows[19999] == ["19999", String(repeating: "é", count: 19999 % 50)])
    }

    @Test func unterminatedArrayIsAnErrorWithLine() throws {
        let dir = try Scratch()
        let reader = try JSONReader(path: dir.write("bad.json", "[{\"a\":1},\n{\"a\":"))
        #expect(try reader.next() == .record(Record(values: ["1"], number: 1, line: 1)))
        #expect(throws: TabularError.self) { try reader.next() }
    }
}
