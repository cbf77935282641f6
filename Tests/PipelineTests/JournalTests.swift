import Foundation
import Testing
import RosterTestSupport
import Tabular
import Transport
@testable import Pipeline

@Suite struct JournalTests {
    let identity = JobIdentity(script: "s", input: "i", target: "omnigage", account: "acme@api", settings: "{}")

    @Test func entriesSurviveReopeningAndATornLastLineIsCutOff() throws {
        let dir = try makeTemporaryDirectory()
        let path = try {
            let journal = try Journal(directory: dir, identity: identity)
            try journal.append("uploaded", ["upload": .string("U1")])
            try journal.append("import_created", ["import": .string("I1")])
            return journal.path
        }()
        // A crash mid-write leaves half a line.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"event":"settled","imp"#.utf8))
        try handle.close()

        let reopened = try Journal(directory: dir, identity: identity)
        #expect(reopened.entries.count == 2)
        #expect(reopened.last("import_created")?["import"] == .string("I1"))
        #expect(reopened.last("settled") == nil)
        // Appending after the repair gives whole lines only.
        try reopened.append("settled", ["status": .string("completed")])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { (try? JSONValue.parse(Array($0.utf8))) != nil })
        #expect(text.hasSuffix("\n"))
    }

    @Test func identitiesThatDifferInAnyPartUseDifferentJournals() throws {
        let dir = try makeTemporaryDirectory()
        var other = identity
        other.settings = #"{"options":{"unique_primary_phone":true}}"#
        let a = try Journal(directory: dir, identity: identity).path
        let b = try Journal(directory: dir, identity: other).path
        let again = try Journal(directory: dir, identity: identity).path
        #expect(a != b)
        #expect(a == again)
    }

    @Test func resetForgetsEverything() throws {
        let dir = try makeTemporaryDirectory()
        try {
            let journal = try Journal(directory: dir, identity: identity)
            try journal.append("finished")
            try journal.reset()
            #expect(journal.entries.isEmpty)
        }()
        #expect(try Journal(directory: dir, identity: identity).entries.isEmpty)
    }

    @Test func contentHashOfAFileMatchesTheHashOfItsBytes() throws {
        let dir = try makeTemporaryDirectory()
        let bytes = Array("a,b\n1,2\n".utf8)
        let path = try writeFile(dir, "x.csv", String(decoding: bytes, as: UTF8.self))
        #expect(try ContentHash.of(file: path) == ContentHash.of(bytes))
        #expect(ContentHash.of(bytes) == "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470")  // sha256sum of the same bytes
    }
}

@Suite struct RunReportTests {
    @Test func exitCodeComesFromFailureThenOsExitThenRejectedRows() throws {
        let report = RunReport()
        let accounting = RowAccounting()
        report.add(ReportInput(path: "in.csv", accounting: accounting))
        accounting.recordRead()
        accounting.recordSent()
        #expect(report.exitCode == 0)
        accounting.recordRead()
        #expect(report.exitCode == 3)  // read and not accounted for: never 0
        report.requestedExit = 0
        #expect(report.exitCode == 3)  // not even with os.exit(0)
        report.requestedExit = nil
        try accounting.record(RowIssue(outcome: .rejected, record: 2, line: 3, reason: "bad", values: []))
        #expect(report.exitCode == 3)
        report.requestedExit = 9
        #expect(report.exitCode == 9)
        report.fail(RunFailure(kind: .refused, stage: "import", message: "no"))
        report.fail(RunFailure(kind: .transport, stage: "settle", message: "later"))
        #expect(report.exitCode == 4)  // the first failure wins
        #expect(report.failure?.stage == "import")
    }

    @Test func vendorErredRowsExit3() {
        let report = RunReport()
        report.record(ImportRecord(id: "I", target: "omnigage", status: "completed", created: 1, updated: 0, erred: 2, total: 3))
        #expect(report.exitCode == 3)
    }

    @Test func jsonHasTheDocumentedShapeWithNullsKeptAndRealElapsedTime() throws {
        let started = ContinuousClock.now - .milliseconds(2500)
        let report = RunReport(started: started)
        report.record(ImportRecord(id: "A", target: "omnigage", status: "completed", created: 1, updated: 0, erred: 0, total: 1))
        var whispir = ImportRecord(id: "B", target: "whispir", status: "accepted", total: 4)
        whispir.outcome = "not reported by Whispir"
        report.record(whispir)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["read", "sent", "skipped", "rejected", "warnings", "rows_with_warnings", "warning_examples", "errors_file", "results_file", "target",
                                     "imports", "error", "exit_code", "elapsed_s"])
        #expect(object["target"] as? [String] == ["omnigage", "whispir"])
        #expect(object["error"] is NSNull && object["errors_file"] is NSNull)
        let elapsed = try #require(object["elapsed_s"] as? Double)
        #expect(elapsed >= 2.5 && elapsed < 5)
        let imports = try #require(object["imports"] as? [[String: Any]])
        #expect(imports.last?["created"] is NSNull)
        #expect(imports.last?["total"] as? Int == 4)
        #expect(imports.last?["outcome"] as? String == "not reported by Whispir" && imports.first?["outcome"] is NSNull)
        #expect(report.summaryLines().contains("whispir import B: accepted; outcome: not reported by Whispir"))
    }

    @Test func rejectLimitsParseCountsAndPercentages() {
        #expect(RejectLimit(.integer(10)) == .count(10))
        #expect(RejectLimit(.string("2%")) == .percent(2))
        #expect(RejectLimit(.string("lots")) == nil)
        #expect(RejectLimit.percent(2).exceeded(rejected: 3, read: 100))
        #expect(!RejectLimit.percent(2).exceeded(rejected: 2, read: 100))
        #expect(RejectLimit.count(0).exceeded(rejected: 1, read: 1))
        #expect(nearestName(to: "uniqe_primary_phone", in: ["unique_primary_phone", "list"]) == "unique_primary_phone")
        #expect(nearestName(to: "zzzz", in: ["unique_primary_phone", "list"]) == nil)
    }
}

@Suite struct JournalLockTests {
    @Test func aSecondRunOfTheSameJobStopsWhileTheFirstHoldsTheJournal() throws {
        let dir = try makeTemporaryDirectory()
        let identity = JobIdentity(script: "s", input: "i", target: "whispir", account: "w@api", settings: "{}")
        var first: Journal? = try Journal(directory: dir, identity: identity)
        let error = try #require(throws: JobError.self) { try Journal(directory: dir, identity: identity) }
        #expect(error.failure == .usage)
        #expect(error.message.contains("another roster run is working on this job right now"))
        _ = first?.path
        first = nil  // released when the run ends
        #expect(throws: Never.self) { try Journal(directory: dir, identity: identity) }
    }
}
