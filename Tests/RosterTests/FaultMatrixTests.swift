import Foundation
import Testing

// Faults injected per route and attempt through the sandbox, against the real `roster` binary:
// retried where a repeat is safe, given up with the stage and the last status where it is not,
// and a re-run resumes from the journal with no second upload, resource or import.
@Suite(.serialized) struct FaultMatrixTests {
    func omnigageProject() throws -> String {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "contacts.csv", JobTests.contacts)
        try writeFile(dir, "job.lua", JobTests.job())
        return dir
    }

    func whispirProject() throws -> String {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "staff.csv", "first,last,mobile\nJohn,Smith,0423 456 789\nJane,Smith,0498 765 432\n")
        try writeFile(dir, "job.lua", JobTests.whispirJob)
        return dir
    }

    func run(_ dir: String, _ sandbox: SandboxProcess, flags: [String] = [], file: String = "contacts.csv") async throws -> RosterProcess.Result {
        try await RosterProcess.run(["run", "--json"] + flags + ["job.lua", file], in: dir, environment: sandbox.environment)
    }

    /// S3's transient answers (AWS documents 500 InternalError and 503 SlowDown as retryable) and dropped connections.
    @Test(arguments: ["500", "502", "503", "504", "429", "drop"])
    func s3FaultsAreRetriedAndTheFileIsStoredOnce(kind: String) async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/s3/", "method": "POST", "kind": "\#(kind)", "count": 2, "retryAfter": null}"#)
        let dir = try omnigageProject()
        let r = try await run(dir, sandbox)
        #expect(r.status == 0, "\(kind): \(r.stderr)")
        #expect(try summary(r)["sent"] as? Int == 3)
        #expect(try sandbox.count("s3", "requests") == 3)
        #expect(try sandbox.count("s3", "objects_stored") == 1)
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
    }

    /// A rate limit refuses a request unprocessed, so even creating requests are repeated, after the
    /// Retry-After in seconds, as an HTTP date, or (without one) a back-off.
    @Test(arguments: ["1", "date", "none"])
    func rateLimitsOnEveryCreatingRequestAreWaitedOut(retryAfter: String) async throws {
        let sandbox = try SandboxProcess()
        let after = switch retryAfter {
        case "date": "\"\(httpDate(Date().addingTimeInterval(1)))\""
        case "none": "null"
        default: retryAfter
        }
        for path in ["/omnigage/api/v1/uploads", "/omnigage/api/v1/import-contacts"] {
            try sandbox.fault(#"{"path": "\#(path)", "method": "POST", "kind": "429", "count": 1, "retryAfter": \#(after)}"#)
        }
        let dir = try omnigageProject()
        let r = try await run(dir, sandbox)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
        #expect(try sandbox.count("omnigage", "requests") >= 5)
    }

    /// Creating an upload or an import is not idempotent: a 5xx answer is not repeated; the run stops
    /// naming the stage and the status (exit 5), and the re-run resumes without duplicates.
    @Test(arguments: [("/omnigage/api/v1/uploads", "upload"), ("/omnigage/api/v1/import-contacts", "import")])
    func aFailedCreatingRequestStopsTheRunAndTheReRunResumesWithoutDuplicates(path: String, stage: String) async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "\#(path)", "method": "POST", "kind": "503", "count": 1, "retryAfter": null}"#)
        let dir = try omnigageProject()
        let failed = try await run(dir, sandbox)
        #expect(failed.status == 5, "\(failed.stderr)")
        let error = try #require(try summary(failed)["error"] as? [String: Any])
        #expect(error["stage"] as? String == stage)
        #expect((error["message"] as? String)?.contains("503") == true)
        let resumed = try await run(dir, sandbox)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
        #expect(try sandbox.count("s3", "objects_stored") == 1)
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
    }

    /// The import was created but its answer was lost: the re-run must not create a second one.
    @Test func aLostAnswerToCreatingTheImportNeverImportsTwice() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts", "method": "POST", "kind": "drop-after", "count": 1}"#)
        let dir = try omnigageProject()
        let lost = try await run(dir, sandbox)
        #expect(lost.status == 5, "\(lost.stderr)")
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
        let again = try await run(dir, sandbox)
        #expect(again.status == 5)
        #expect(again.stderr.contains("was lost") && again.stderr.contains("--fresh"), "\(again.stderr)")
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
        let fresh = try await run(dir, sandbox, flags: ["--fresh"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(try sandbox.count("omnigage", "imports_created") == 2)
    }

    @Test func aLostAnswerToCreatingAWhispirImportNeverImportsTwice() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/whispir/imports", "method": "POST", "kind": "drop-after", "count": 1}"#)
        let dir = try whispirProject()
        let lost = try await run(dir, sandbox, file: "staff.csv")
        #expect(lost.status == 5, "\(lost.stderr)")
        #expect(try sandbox.count("whispir", "imports_created") == 1)
        let again = try await run(dir, sandbox, file: "staff.csv")
        #expect(again.status == 5)
        #expect(again.stderr.contains("was lost") && again.stderr.contains("Whispir may have created it"), "\(again.stderr)")
        #expect(try sandbox.count("whispir", "imports_created") == 1)
        #expect(try sandbox.count("whispir", "resources_created") == 1)
    }

    /// Polling is a read: 503s and dropped connections are retried.
    @Test(arguments: ["503", "drop", "500"])
    func pollingSurvivesTransientFaults(kind: String) async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts/", "method": "GET", "kind": "\#(kind)", "count": 2, "retryAfter": null}"#)
        let dir = try omnigageProject()
        let r = try await run(dir, sandbox)
        if kind == "500" {
            // A 500 on a read is an answer, not a blip: the run stops at the stage (the import exists and the journal has it).
            #expect(r.status == 5 || r.status == 4, "\(r.stderr)")
            try sandbox.request("DELETE", "/_sandbox/faults")
            let resumed = try await run(dir, sandbox)
            #expect(resumed.status == 0, "\(resumed.stderr)")
        } else {
            #expect(r.status == 0, "\(kind): \(r.stderr)")
        }
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
    }

    /// A response that never comes: a read is repeated; a creating request is not, and its import is never made twice.
    @Test func anAnswerThatNeverComesIsRetriedOnAReadAndNeverDuplicatesAnImport() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts/", "method": "GET", "kind": "delay", "delayMs": 4000, "count": 1}"#)
        let dir = try omnigageProject()
        let polled = try await run(dir, sandbox, flags: ["--request-timeout", "1"])
        #expect(polled.status == 0, "\(polled.stderr)")
        #expect(try sandbox.count("omnigage", "imports_created") == 1)

        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts", "method": "POST", "kind": "delay", "delayMs": 3000, "count": 1}"#)
        let second = try omnigageProject()
        try writeFile(second, "contacts.csv", JobTests.contacts + "Ed,Lane,407 555 0123,ed@example.com\n")
        let timedOut = try await run(second, sandbox, flags: ["--request-timeout", "1"])
        #expect(timedOut.status == 5, "\(timedOut.stderr)")
        try await Task.sleep(for: .seconds(3))  // the sandbox finishes the delayed request meanwhile
        let again = try await run(second, sandbox, flags: ["--request-timeout", "1"])
        #expect(again.status == 5)
        #expect(again.stderr.contains("was lost"), "\(again.stderr)")
        #expect(try sandbox.count("omnigage", "imports_created") <= 2)
    }

    @Test func aFileThatChangesWhileItIsReadIsNotSent() async throws {
        let sandbox = try SandboxProcess()
        let dir = try omnigageProject()
        // The transform appends to its own input at the second row, as an export still being written would grow.
        try writeFile(dir, "job.lua", JobTests.job(transform: """
            function(row)
                if row.Given == "Bob" then local f = io.open(arg[1], "a"); f:write("Ed,Lane,407 555 0123,ed@example.com\\n"); f:close() end
                return row
              end
            """))
        let r = try await run(dir, sandbox)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("changed while it was read"), "\(r.stderr)")
        #expect(try summary(r)["sent"] as? Int == 0)
        #expect(balanced(try summary(r)))
        #expect(try sandbox.count("omnigage", "uploads_created") == 0)
    }

    @Test func theRetryBudgetIsAFlagAndGivingUpNamesTheStageAndTheLastStatus() async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/s3/", "method": "POST", "kind": "500", "count": 10}"#)
        let dir = try omnigageProject()
        let r = try await run(dir, sandbox, flags: ["--retries", "1", "--retry-max-delay", "0.2"])
        #expect(r.status == 5, "\(r.stderr)")
        let error = try #require(try summary(r)["error"] as? [String: Any])
        #expect(error["stage"] as? String == "upload")
        #expect((error["message"] as? String)?.contains("500") == true)
        #expect(try sandbox.count("s3", "requests") == 2)
        let bad = try await RosterProcess.run(["run", "--retries", "-1", "job.lua"], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains("--retries"))
    }

    @Test(arguments: ["/whispir/resources", "/whispir/imports"])
    func whispirRateLimitsAreWaitedOutAndFailuresResumeWithoutDuplicates(path: String) async throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "\#(path)", "method": "POST", "kind": "429", "count": 2}"#)
        let dir = try whispirProject()
        let r = try await run(dir, sandbox, file: "staff.csv")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try sandbox.count("whispir", "resources_created") == 1)
        #expect(try sandbox.count("whispir", "imports_created") == 1)

        try sandbox.fault(#"{"path": "\#(path)", "method": "POST", "kind": "502", "count": 1}"#)
        let second = try whispirProject()
        let failed = try await run(second, sandbox, file: "staff.csv")
        #expect(failed.status == 5, "\(failed.stderr)")
        let resumed = try await run(second, sandbox, file: "staff.csv")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try sandbox.count("whispir", "resources_created") == 2)
        #expect(try sandbox.count("whispir", "imports_created") == 2)
    }

    @Test func theWholeRunStopsAtItsTimeoutWithTheSummaryAndExit124() async throws {
        let sandbox = try SandboxProcess()
        // The import never settles within the limit: polling is slowed past it.
        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts/", "method": "GET", "kind": "delay", "delayMs": 6000, "count": 50}"#)
        let dir = try omnigageProject()
        let started = Date()
        let r = try await run(dir, sandbox, flags: ["--timeout", "2"])
        #expect(r.status == 124, "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(r.stderr.contains("passed its --timeout of 2 s"))
        try writeFile(dir, "spin.lua", "while true do end")
        let spin = try await RosterProcess.run(["run", "--timeout", "1", "spin.lua"], in: dir)
        #expect(spin.status == 124, "\(spin.stderr)")
        #expect(spin.stderr.contains("--timeout"))
        // The journal kept the import: the re-run without the limit settles it and imports nothing twice.
        try sandbox.request("DELETE", "/_sandbox/faults")
        let resumed = try await run(dir, sandbox)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
    }
}

func httpDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
}
