import Foundation
import Testing
@testable import Tabular

@Suite struct ContactWriterTests {
    static let header = ["firstName", "lastName", "workEmailAddress1", "workMobilePhone1", "workCountry", "timezone"]
    static let rows = [
        ["John", "Smith", "john.smith@testcompany.com", "61423456789", "Australia", "+10"],
        ["Jane", "Smith", "jane.smith@testcompany.com", "61498765432", "Australia", "+10"],
    ]

    @Test func writesWhispirXMLImportDocumentLikeTheSample() throws {
        let out = ByteOutput(memoryNamed: "mem")
        let writer = XMLContactWriter(output: out)
        try writer.writeHeader(Self.header)
        for row in Self.rows { try writer.writeRow(row) }
        let summary = try writer.finish()
        let text = String(decoding: try out.takeBytes(), as: UTF8.self)
        // Whispir's sample, with its stray trailing space and three-space indent tidied.
        let expected = seedXML
            .replacingOccurrences(of: "whispir.com\" \n             xmlns:ns3", with: "whispir.com\" xmlns:ns3")
            .replacingOccurrences(of: "\n   </ns2:contacts>", with: "\n    </ns2:contacts>") + "\n"
        #expect(text == expected)
        #expect(summary == WriteSummary(path: "mem", rows: 2, bytes: expected.utf8.count))
    }

    @Test func escapesXMLTextAndRefusesInvalidElementNames() throws {
        let out = ByteOutput(memoryNamed: "mem")
        let writer = XMLContactWriter(output: out)
        try writer.writeHeader(["note"])
        try writer.writeRow(["a<b & \"c\" >"])
        _ = try writer.finish()
        #expect(String(decoding: try out.takeBytes(), as: UTF8.self).contains("<note>a&lt;b &amp; &quot;c&quot; &gt;</note>"))
        #expect(throws: TabularError.self) { try XMLContactWriter(output: ByteOutput(memoryNamed: "m")).writeHeader(["First Name"]) }
    }

    @Test func writesWhispirJSONAndReadsItBack() throws {
        let dir = try Scratch()
        let path = dir.path("out.json")
        let writer = try Tables.writer(path: path, format: .json)
        try writer.writeHeader(Self.header)
        for row in Self.rows { try writer.writeRow(row) }
        _ = try writer.finish()
        let reader = try Tables.open(path: path)
        #expect(reader.header == Self.header)
        #expect(records(try readAll(reader)) == Self.rows)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("{\"contacts\":[\n{\"firstName\":\"John\",\"lastName\":\"Smith\","))
    }

    @Test func xmlRoundTripsThroughTheReader() throws {
        let dir = try Scratch()
        let path = dir.path("out.xml")
        let writer = try Tables.writer(path: path, format: .xml)
        try writer.writeHeader(["firstName", "note"])
        try writer.writeRow(["Zoë", "a<b & c\r\nd"])
        _ = try writer.finish()
        let reader = try Tables.open(path: path)
        #expect(records(try readAll(reader)) == [["Zoë", "a<b & c\r\nd"]])
    }
}
