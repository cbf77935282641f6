import Foundation
import Tabular
import Testing
import Transport
@testable import Whispir

/// The data records of a CSV, as Tabular reads them.
func records(_ csv: [UInt8]) throws -> [[String]] {
    let reader = try CSVReader(bytes: csv, name: "part")
    var out: [[String]] = []
    while let event = try reader.next() { if case .record(let r) = event { out.append(r.values) } }
    return out
}

@Suite struct WhispirSplitTests {
    /// A CSV whose rows contain quoted commas, quotes and line breaks.
    static func csv(rows: Int, padding: Int = 0) -> (bytes: [UInt8], header: String, rows: [String]) {
        let header = "firstName,lastName,workMobilePhone1,workCountry,timezone,notes\r\n"
        var lines: [String] = []
        let pad = String(repeating: "x", count: padding)
        for index in 0..<rows {
            lines.append("Zoë\(index),\"O'Neil, \"\"Jr\"\"\",6140000\(String(format: "%04d", index)),Australia,Australia/Sydney,\"line one\nline two \(pad)\"\r\n")
        }
        return (Array((header + lines.joined()).utf8), header, lines)
    }

    @Test func everyPartStaysUnderTheLimitRepeatsTheHeaderAndCarriesEachRowOnce() async throws {
        let (bytes, header, rows) = Self.csv(rows: 300)
        let server = try await startWhispir()
        let transport = makeTransport()
        let limit = 4000
        let client = makeClient(server, transport: transport, workspace: "9A4C5521FFC7B15B", requestLimit: limit)
        let reported = Counter()
        let report = try await client.importCSV(bytes, name: "staff list (2024).csv", importMode: .replace,
                                                fieldMapping: seedMapping) { _ in _ = reported.next() }
        #expect(report.parts.count > 5)
        #expect(report.rows == 300)
        #expect(reported.current == report.parts.count)
        #expect(report.parts.map(\.rowCount).reduce(0, +) == 300)

        let resourceRequests = server.requests.filter { $0.path.hasSuffix("/resources") }
        let importRequests = server.requests.filter { $0.path.hasSuffix("/imports") }
        #expect(resourceRequests.count == report.parts.count)
        #expect(importRequests.count == report.parts.count)
        var seen: [[String]] = []
        for (part, request) in zip(report.parts, resourceRequests) {
            #expect(request.body.count < limit)
            #expect(request.body.count == part.requestBytes)
            #expect(request.path == "/workspaces/9A4C5521FFC7B15B/resources")
            let text = String(decoding: try resourceContent(request), as: UTF8.self)
            #expect(text.hasPrefix(header))
            let body = try JSONValue.parse(request.body)
            #expect(body["name"]?.stringValue == String(format: "staff-list-2024-part%04d.csv", part.index))
            // Every record boundary in the part is a row boundary of the original: no quoted field was cut.
            let partRows = try records(Array(text.utf8))
            #expect(partRows.count == part.rowCount)
            seen += partRows
        }
        #expect(seen == (try records(bytes)))
        #expect(seen.count == rows.count)
        for (part, request) in zip(report.parts, importRequests) {
            let body = try JSONValue.parse(request.body)
            #expect(body["resourceId"]?.stringValue == part.resource.id)
            #expect(part.receipt.status == 202)
            #expect(part.receipt.importID == "IMP\(part.index)")
        }
        try await transport.shutdown()
        await server.stop()
    }

    @Test func aFileNearTheRealLimitIsSplitBecauseBase64Grows() async throws {
        // About 9 MB of CSV: under 10 MB raw, but about 12 MB once base64-encoded.
        let (bytes, header, rows) = Self.csv(rows: 30_000, padding: 230)
        #expect(bytes.count > 8_000_000 && bytes.count < WhispirClient.requestLimit)
        let parts = try WhispirClient.planParts(csv: bytes, name: "big.csv")
        #expect(parts.count == 2)
        for part in parts {
            #expect(part.requestBytes < WhispirClient.requestLimit)
            #expect(String(decoding: part.csv.prefix(header.utf8.count), as: UTF8.self) == header)
        }
        #expect(parts.map(\.rowCount).reduce(0, +) == rows.count)
        #expect(parts[1].firstRow == parts[0].rowCount + 1)
        let server = try await startWhispir()
        let transport = makeTransport()
        let report = try await makeClient(server, transport: transport).importCSV(bytes, name: "big.csv", importMode: .duplicate,
                                                                                  fieldMapping: seedMapping)
        #expect(report.parts.count == 2)
        for request in server.requests where request.path.hasSuffix("/resources") {
            #expect(request.body.count < WhispirClient.requestLimit)
        }
        let rejoined = try server.requests.filter { $0.path.hasSuffix("/resources") }
            .map { try resourceContent($0).dropFirst(header.utf8.count) }.reduce([UInt8](), +)
        let identical = rejoined == Array(bytes.dropFirst(header.utf8.count))  // outside #expect: a failure would print megabytes
        #expect(identical)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func aRowTooLargeForOneRequestIsReported() {
        let (bytes, _, _) = Self.csv(rows: 3, padding: 5000)
        #expect(throws: WhispirError.self) { _ = try WhispirClient.planParts(csv: bytes, name: "x.csv", limit: 2000) }
    }

    @Test func aFileWithoutTrailingNewlineKeepsItsLastRow() throws {
        let csv = Array("firstName,lastName\nAda,Lovelace\nAlan,Turing".utf8)
        let parts = try WhispirClient.planParts(csv: csv, name: "x.csv", limit: 200)
        #expect(parts.map(\.rowCount).reduce(0, +) == 2)
        let lastPart = String(decoding: parts.last?.csv ?? [], as: UTF8.self)
        #expect(lastPart.hasSuffix("Alan,Turing\r\n"))
    }
}

@Suite struct WhispirResumeTests {
    @Test func partsAlreadyImportedAreNotSentAgain() async throws {
        let (bytes, _, _) = WhispirSplitTests.csv(rows: 150)
        let server = try await startWhispir()
        let transport = makeTransport()
        let client = makeClient(server, transport: transport, requestLimit: 4000)
        let plan = try WhispirClient.planParts(csv: bytes, name: "c.csv", limit: 4000)
        try #require(plan.count >= 3)
        let report = try await client.importCSV(bytes, name: "c.csv", importMode: .replace, fieldMapping: seedMapping, skipParts: [1, 2])
        #expect(report.totalParts == plan.count)
        #expect(report.skippedParts == [1, 2])
        #expect(report.parts.map(\.index) == Array(3...plan.count))
        #expect(report.rows == plan.dropFirst(2).reduce(0) { $0 + $1.rowCount })
        #expect(server.requests.filter { $0.path.hasSuffix("/resources") }.count == plan.count - 2)
        let firstSent = try #require(server.requests.first { $0.path.hasSuffix("/resources") })
        #expect(try resourceContent(firstSent) == plan[2].csv)
        try await transport.shutdown()
        await server.stop()
    }
}

/// resource_format: Whispir's JSON and XML import documents, split like CSV, each part whole.
@Suite struct WhispirResourceFormatTests {
    @Test(arguments: [TableFormat.json, .xml])
    func partsAreCompleteDocumentsUnderTheLimitCarryingEveryRowOnce(_ format: TableFormat) throws {
        let (bytes, _, _) = WhispirSplitTests.csv(rows: 120)
        let parts = try WhispirClient.planParts(csv: bytes, name: "staff.csv", limit: 6000, format: format)
        #expect(parts.count > 2)
        #expect(parts.allSatisfy { $0.requestBytes < 6000 })
        #expect(parts.first?.name == "staff-part0001.\(format.rawValue)")
        var rows: [[String]] = []
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whispir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, part) in parts.enumerated() {
            let path = dir + "/part\(i).\(format.rawValue)"
            try Data(part.csv).write(to: URL(fileURLWithPath: path))
            let reader = try Tables.open(path: path, options: ReadOptions(format: format))
            #expect(reader.header == ["firstName", "lastName", "workMobilePhone1", "workCountry", "timezone", "notes"])
            var count = 0
            while let event = try reader.next() {
                if case .record(let r) = event { rows.append(r.values); count += 1 }
            }
            #expect(count == part.rowCount)
        }
        #expect(rows == (try records(bytes)))
        #expect(WhispirClient.mimeType(of: format) == (format == .json ? "application/json" : "application/xml"))
    }
}
