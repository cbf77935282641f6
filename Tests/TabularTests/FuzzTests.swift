import Foundation
import Testing
import TabularFuzz

// A short, seeded fuzzing campaign per reader over the committed corpus (Tests/Fuzz/corpus);
// `scripts/fuzz` runs the same harness longer, or under libFuzzer. A crash or hang fails the run.
@Suite(.serialized) struct FuzzTests {
    static let corpusRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    @Test(arguments: FuzzFormat.allCases)
    func readersKeepTheirContractOnMutatedInput(format: FuzzFormat) async throws {
        let dir = try Scratch()
        let corpus = FuzzCampaign.loadCorpus(Self.corpusRoot + "/" + format.rawValue)
        #expect(!corpus.isEmpty, "no committed corpus for \(format.rawValue)")
        let campaign = FuzzCampaign(format: format, corpus: corpus, seed: 20_261_203, seconds: 2)
        let path = dir.directory.path
        // On a thread of its own: two seconds of CPU must not hold one of the two cooperative threads.
        let report = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<FuzzReport, any Error>) in
            Thread.detachNewThread { continuation.resume(returning: campaign.run(in: path)) }
        }
        for failure in report.failures.prefix(3) {
            Issue.record("\(failure.detail); input: \(String(decoding: failure.input.prefix(200), as: UTF8.self))")
        }
        #expect(report.executions > corpus.count)
        #expect(report.slowestMilliseconds < 5000)
    }

    @Test func theTargetReportsRecordsRejectionsAndTypedErrors() throws {
        let dir = try Scratch()
        let target = FuzzTarget(format: .csv, directory: dir.directory.path)
        let ok = try target.run(Array("a,b\n1,2\n3\n\"x\"y,1\n".utf8))
        #expect(ok.records == 1 && ok.rejected == 2 && ok.error == nil)
        let json = FuzzTarget(format: .json, directory: dir.directory.path)
        #expect(try json.run(Array("[".utf8) + Array(repeating: UInt8(ascii: "["), count: 500)).error?.contains("nested deeper") == true)
        let parts = FuzzTarget(format: .xlsxParts, directory: dir.directory.path)
        let sheet = try parts.run(Array("<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>a</t></is></c></row><row><c t=\"s\"><v>3</v></c></row></sheetData></worksheet>".utf8))
        #expect(sheet.records == 0 && sheet.rejected == 1)
    }
}
