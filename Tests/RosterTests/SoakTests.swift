import Foundation
import Testing

// Consecutive jobs against one sandbox with faults on every route at a 10% rate; each job is re-run
// until it finishes, and every row must arrive exactly once. ROSTER_SOAK_JOBS sets the number of jobs
// (20 in the test command; `scripts/soak` runs 200).
@Suite(.serialized) struct SoakTests {
    static let rowsPerJob = 25

    static func contacts(job: Int) -> String {
        var text = "Given,Family,Mobile,Email\n"
        for row in 0 ..< rowsPerJob {
            text += "G\(job)x\(row),F\(job),+1 407 \(String(format: "%03d", job % 1000)) \(String(format: "%04d", row + 1000 * (job / 1000))),j\(job)r\(row)@example.com\n"
        }
        return text
    }

    @Test func everyRowOfEveryJobArrivesExactlyOnceThroughTenPercentFaults() async throws {
        let jobs = Int(ProcessInfo.processInfo.environment["ROSTER_SOAK_JOBS"] ?? "") ?? 20
        let sandbox = try SandboxProcess()
        let rules = [
            #"{"path": "/omnigage/api/v1/uploads", "method": "POST", "kind": "503", "retryAfter": null, "#,
            #"{"path": "/s3/", "method": "POST", "kind": "drop", "#,
            #"{"path": "/omnigage/api/v1/import-contacts", "method": "POST", "kind": "502", "#,
            #"{"path": "/omnigage/api/v1/import-contacts/", "method": "GET", "kind": "503", "retryAfter": null, "#,
        ]
        for rule in rules { try sandbox.fault(rule + #""count": 1000000, "rate": 0.1}"#) }
        let started = Date()
        var runs = 0
        var failedRuns = 0
        for job in 0 ..< jobs {
            let dir = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try writeFile(dir, "contacts.csv", Self.contacts(job: job))
            try writeFile(dir, "job.lua", JobTests.job())
            var finished: [String: Any]?
            for _ in 0 ..< 30 {
                runs += 1
                let r = try await RosterProcess.run(["run", "--json", "--retries", "2", "--retry-max-delay", "0.05", "job.lua", "contacts.csv"],
                                              in: dir, environment: sandbox.environment)
                let s = try summary(r)
                #expect(balanced(s), "job \(job): \(s)")
                if r.status == 0 {
                    finished = s
                    break
                }
                failedRuns += 1
                #expect(r.status == 5 || r.status == 4, "job \(job): exit \(r.status): \(r.stderr)")
            }
            let s = try #require(finished, "job \(job) never finished in 30 runs")
            // The first finishing run sent the rows, unless an earlier run delivered them and this one
            // only settled (then it reports them as already sent from the journal).
            #expect((s["sent"] as? Int) == Self.rowsPerJob || (s["already_imported"] as? Bool) == true, "job \(job): \(s)")
        }
        let stats = try sandbox.stats()
        let omnigage = try #require(stats["omnigage"] as? [String: Any])
        #expect(omnigage["imports_created"] as? Int == jobs)
        #expect(omnigage["rows_imported"] as? Int == jobs * Self.rowsPerJob)
        #expect(omnigage["contacts"] as? Int == jobs * Self.rowsPerJob)
        let faults = stats["faults_injected"] as? Int ?? 0
        #expect(faults > 0)
        print(String(format: "soak: %d jobs, %d rows, %d runs (%d stopped by a fault and resumed), %d faults injected, %d requests, %.1f s",
                     jobs, jobs * Self.rowsPerJob, runs, failedRuns, faults, stats["requests"] as? Int ?? 0, Date().timeIntervalSince(started)))
    }
}
