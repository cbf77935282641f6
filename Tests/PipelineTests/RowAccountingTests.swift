import Foundation
import Testing
import Tabular
import RosterTestSupport
@testable import Pipeline

@Suite struct RowAccountingTests {
    @Test func everyReadRecordEndsInExactlyOneOutcome() throws {
        let a = RowAccounting(keep: 1)
        var streamed: [RowIssue] = []
        a.sink = { streamed.append($0) }
        a.recordRead(4)
        #expect(!a.balanced)
        a.recordSent(2)
        try a.record(RowIssue(outcome: .skipped, record: 3, line: 4, reason: "no phone", values: ["x"]))
        try a.record(RowIssue(outcome: .rejected, record: 4, line: 5, reason: "bad", values: []))
        #expect(a.balanced)
        #expect([a.read, a.sent, a.skipped, a.rejected] as [Int] == [4, 2, 1, 1])
        #expect(a.issues.count == 1)  // kept in memory: capped
        #expect(streamed.map(\.record) == [3, 4])  // streamed: all
    }
}

@Suite struct ErrorsFileTests {
    @Test func writesOriginalColumnsWithRowLineReasonAndNeutralisesFormulas() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("errors-\(UUID().uuidString).csv").path
        let file = try ErrorsFile(path: path, header: ["Name", "Phone"])
        try file.append(RowIssue(outcome: .rejected, record: 2, line: 3, reason: "more fields than the header",
                                 values: ["Jane", "=HYPERLINK(\"x\")", "extra"]))
        try file.append(RowIssue(outcome: .skipped, record: 5, line: 7, reason: "no phone", values: ["Bo"], stage: "transform",
                                 warnings: ["1 field(s), the header has 2: padded", "-x"]))
        let summary = try file.finish()
        #expect(summary.rows == 2)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])  // UTF-8 BOM: Excel reads the accents right
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "Name,Phone,_row,_line,_outcome,_stage,_reason,_warnings\r\n"
            + "Jane,\"'=HYPERLINK(\"\"x\"\")\",2,3,rejected,read,more fields than the header [extra fields: extra],\r\n"
            + "Bo,,5,7,skipped,transform,no phone,\"1 field(s), the header has 2: padded; -x\"\r\n")
    }

    @Test func pythonsCSVReaderWithUTF8SigSeesTheHeaderAndAccentsRight() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("errors-\(UUID().uuidString).csv").path
        let file = try ErrorsFile(path: path, header: ["Name", "City"])
        try file.append(RowIssue(outcome: .rejected, record: 1, line: 2, reason: "bad, \"quoted\" reason", values: ["José Ñúñez", "=cmd|' /C calc'!A0"]))
        _ = try file.finish()
        // What Excel does with the BOM, Python does with utf-8-sig: the first column is "Name", not "\u{FEFF}Name".
        let out = try runPython("""
            import csv, json, sys
            with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
                print(json.dumps(list(csv.DictReader(f)), ensure_ascii=False))
            """, [path])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: String]])
        #expect(rows.count == 1)
        #expect(rows.first?["Name"] == "José Ñúñez")
        #expect(rows.first?["City"] == "'=cmd|' /C calc'!A0")
        #expect(rows.first?["_reason"] == "bad, \"quoted\" reason")
        #expect(rows.first?["_stage"] == "read" && rows.first?["_outcome"] == "rejected")
    }

    @Test func neutralisesOnlyFormulaStarts() {
        #expect(ErrorsFile.neutralised("+14076341732") == "'+14076341732")
        #expect(ErrorsFile.neutralised("@SUM(A1)") == "'@SUM(A1)")
        #expect(ErrorsFile.neutralised("Ann") == "Ann")
        #expect(ErrorsFile.neutralised("") == "")
    }
}
