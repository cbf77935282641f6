import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `roster sandbox --port 0` in its own process: its state outlives any `roster run` it serves,
/// so a run can be killed and resumed against it, and its `/_sandbox/stats` counts what arrived.
final class SandboxProcess {
    let process = Process()
    let port: String

    init() throws {
        process.executableURL = RosterProcess.executable
        process.arguments = ["sandbox", "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var printed = ""
        let deadline = Date().addingTimeInterval(30)
        while !printed.contains("Stats"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        guard let match = printed.firstMatch(of: /Roster sandbox on 127\.0\.0\.1:(\d+)/) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "sandbox did not start: \(printed)"])
        }
        port = String(match.1)
    }

    deinit {
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    /// The credentials and URLs that point `roster run` at this sandbox (so it starts none of its own).
    var environment: [String: String] {
        ["OMNIGAGE_KEY": "sandbox-key", "OMNIGAGE_SECRET": "sandbox-secret", "OMNIGAGE_ACCOUNT_KEY": "sandbox",
         "OMNIGAGE_BASE_URL": "http://127.0.0.1:\(port)/omnigage/api/v1",
         "WHISPIR_API_KEY": "sandbox-api-key", "WHISPIR_USERNAME": "sandbox.user", "WHISPIR_PASSWORD": "sandbox-password",
         "WHISPIR_BASE_URL": "http://127.0.0.1:\(port)/whispir", "WHISPIR_REGION": ""]
    }

    /// `GET /_sandbox/stats`.
    func stats() throws -> [String: Any] {
        let (data, _) = try request("GET", "/_sandbox/stats")
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// A counter from the stats, e.g. `count("omnigage", "uploads_created")`.
    func count(_ group: String, _ name: String) throws -> Int {
        ((try stats()[group] as? [String: Any])?[name] as? Int) ?? -1
    }

    func requests() throws -> Int { (try stats()["requests"] as? Int) ?? -1 }

    /// Arms a fault (`/_sandbox/faults`).
    func fault(_ json: String) throws {
        _ = try request("POST", "/_sandbox/faults", body: json)
    }

    @discardableResult
    func request(_ method: String, _ path: String, body: String? = nil) throws -> (Data, Int) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data, Int) = (Data(), 0)  // written once by the handler before `done` signals, read after
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0)
            done.signal()
        }.resume()
        done.wait()
        return result
    }
}

/// The last stdout line of a `--json` run, parsed.
func summary(_ r: RosterProcess.Result) throws -> [String: Any] {
    let last = try #require(r.stdout.split(separator: "\n").last, "no stdout; stderr: \(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], "not JSON: \(last)")
}

/// read == sent + skipped + rejected, as every run must end.
func balanced(_ s: [String: Any]) -> Bool {
    let n = ["read", "sent", "skipped", "rejected"].map { s[$0] as? Int ?? -1 }
    return n[0] == n[1] + n[2] + n[3]
}

@Suite(.serialized) struct JobTests {
    static let contacts = """
        Given,Family,Mobile,Email
        Ada,Quill,(407) 634-1732,ADA@example.com
        Bob,Stone,407 555 0100,bob@example.com
        Cy,Vale,,cy@example.com
        Di,Moss,407 555 0199,di@example.com

        """

    /// A declarative job: a transform that skips rows without a phone, a mapping, options.
    static func job(options: String = "interval = 0.05", transform: String? = nil, hooks: String = "{}") -> String {
        """
        return roster.job {
          source = arg[1],
          target = roster.omnigage {},
          transform = \(transform ?? """
            function(row)
                if row.Mobile == "" then return nil, "no phone" end
                row.Email = row.Email:lower()
                return row
              end
            """),
          mapping = { ["first-name"] = "Given", ["last-name"] = "Family", ["phone1-phone-number"] = "Mobile",
                      ["email1-email-address"] = "Email" },
          options = { \(options) },
          hooks = \(hooks),
        }
        """
    }

    /// A Whispir job: Australian mobiles made international, the mandatory fields filled in.
    static let whispirJob = """
        return roster.job {
          source = arg[1], target = roster.whispir {},
          transform = function(row)
            row.mobile = "61" .. row.mobile:gsub("%s", ""):sub(2)
            row.country, row.tz = "Australia", "+10"
            return row
          end,
          mapping = { firstName = "first", lastName = "last", workMobilePhone1 = "mobile", workCountry = "country", timezone = "tz" },
          options = { import_mode = "duplicate" },
        }
        """

    func project(_ script: String) throws -> String {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "contacts.csv", Self.contacts)
        try writeFile(dir, "job.lua", script)
        return dir
    }

    @Test func aJobRunsAndASecondRunSaysAlreadyImportedAndSendsNothing() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job())
        let first = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(first.status == 0, "\(first.stderr)")
        let s = try summary(first)
        #expect((s["read"] as? Int, s["sent"] as? Int, s["skipped"] as? Int, s["rejected"] as? Int) == (4, 3, 1, 0))
        let imports = try #require(s["imports"] as? [[String: Any]])
        #expect(imports.count == 1)
        #expect(imports.first?["status"] as? String == "completed")
        #expect(imports.first?["total"] as? Int == 3)
        #expect(s["target"] as? String == "omnigage")
        #expect(s["error"] is NSNull)
        #expect(s["exit_code"] as? Int == 0)
        let id = try #require(imports.first?["id"] as? String)
        let requests = try sandbox.requests()

        let again = try RosterProcess.run(["run", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(again.status == 0)
        #expect(again.stderr.contains("roster: already imported: import \(id) on 20"), "\(again.stderr)")
        #expect(again.stderr.contains("(use --fresh to import again)"))
        #expect(try sandbox.requests() == requests)
        #expect(try sandbox.count("omnigage", "imports_created") == 1)

        let fresh = try RosterProcess.run(["run", "--fresh", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(fresh.status == 0)
        #expect(try sandbox.count("omnigage", "imports_created") == 2)
    }

    /// `--parallel 2` and the job option `parallel`: the same counts, import and errors file as one state.
    @Test func aJobInParallelStatesSendsWhatOneStateSends() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job(options: #"parallel = 2, errors_file = "errors.csv""#))
        let r = try RosterProcess.run(["run", "--json", "--parallel", "3", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let s = try summary(r)
        #expect((s["read"] as? Int, s["sent"] as? Int, s["skipped"] as? Int, s["rejected"] as? Int) == (4, 3, 1, 0))
        #expect((s["imports"] as? [[String: Any]])?.first?["total"] as? Int == 3)
        let errors = try String(contentsOfFile: dir + "/errors.csv", encoding: .utf8)
        #expect(errors.contains(",skipped,transform,no phone"))
        let bad = try RosterProcess.run(["run", "--parallel", "0", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(bad.status == 2 && bad.stderr.contains("--parallel must be between 1 and 64"), "\(bad.stderr)")
    }

    @Test(arguments: ["started", "uploaded", "import_created", "settled"])
    func killedAfterAStageResumesWithOneUploadAndOneImport(stage: String) throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job())
        var env = sandbox.environment
        env["ROSTER_TEST_KILL_AFTER"] = stage
        let killed = try RosterProcess.run(["run", "job.lua", "contacts.csv"], in: dir, environment: env)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        #expect(try sandbox.count("omnigage", "uploads_created") == (stage == "started" ? 0 : 1))

        let resumed = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let s = try summary(resumed)
        #expect(s["sent"] as? Int == 3)
        #expect(balanced(s))
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
        #expect(try sandbox.count("s3", "posts") == 1)
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
        let imports = try #require(s["imports"] as? [[String: Any]])
        #expect(imports.first?["status"] as? String == "completed")

        let done = try RosterProcess.run(["run", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(done.stderr.contains("already imported"))
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
    }

    @Test func checkSimulatesEveryRemoteStageAndSendsNothing() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job())
        let r = try RosterProcess.run(["check", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try sandbox.requests() == 0)
        #expect(r.stdout.contains("header read (4 columns): Given, Family, Mobile, Email"), "\(r.stdout)")
        #expect(r.stdout.contains(#"  Mobile -> phone1-phone-number    e.g. "(407) 634-1732", "407 555 0100", "407 555 0199""#))
        #expect(r.stdout.contains(#"  Email  -> email1-email-address   e.g. "ada@example.com", "bob@example.com", "di@example.com""#))
        #expect(r.stdout.contains("columns left unmapped: none"))
        #expect(r.stdout.contains(#"1: Given="Ada", Family="Quill", Mobile="(407) 634-1732", Email="ada@example.com""#))
        #expect(r.stdout.contains("rows: 4 read, 3 would be sent, 1 skipped, 0 rejected"))
        #expect(r.stdout.hasSuffix("roster check: nothing was sent\nto import: roster run job.lua contacts.csv\n"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/.roster/journal"))

        let json = try RosterProcess.run(["check", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(json.stdout.split(separator: "\n").count == 1)
        let object = try summary(json)
        let checks = try #require(object["check"] as? [[String: Any]])
        #expect(checks.first?["would_send"] as? Int == 3)
        #expect((checks.first?["mapping"] as? [[String: Any]])?.count == 4)
        #expect((checks.first?["header"] as? [String]) == ["Given", "Family", "Mobile", "Email"])
        #expect((checks.first?["sample_rows"] as? [[String: Any]])?.count == 3)
        #expect(object["imports"] as? [Any] != nil && (object["imports"] as? [Any])?.isEmpty == true)
        #expect(try sandbox.requests() == 0)
    }

    @Test func checkExits3AndListsRejectionsWhenRowsWouldBeRejected() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job(transform: """
            function(row)
                if row.Given == "Bob" then error("Bob is not allowed") end
                return row
              end
            """))
        let r = try RosterProcess.run(["check", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stdout.contains("first 1 rejection(s):"))
        #expect(r.stdout.contains("row 2, line 3 (transform): "), "\(r.stdout)")
        #expect(r.stdout.contains("job.lua:5: Bob is not allowed (transform, row 2, line 3)"))
        #expect(try sandbox.requests() == 0)
    }

    @Test func aTransformThatFailsOnEveryRowCreatesNothingAtTheVendor() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job(transform: "function(row) return row.Nope:upper() end"))
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 3, "\(r.stderr)")
        let s = try summary(r)
        #expect((s["read"] as? Int, s["rejected"] as? Int, s["sent"] as? Int) == (4, 4, 0))
        #expect(try sandbox.requests() == 0)
        #expect(r.stderr.contains("nothing sent to omnigage: no record survived the transform"))
        #expect(r.stderr.contains("roster: every record was rejected at job.lua:4: most likely a bug in the transform, not bad data"), "\(r.stderr)")
    }

    @Test func maxRejectsStopsTheJobBeforeAnyRemoteStage() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job(options: #"max_rejects = "20%""#, transform: """
            function(row)
                if row.Given == "Bob" then error("no Bobs") end
                return row
              end
            """))
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 3, "\(r.stderr)")
        let s = try summary(r)
        #expect(balanced(s))
        let error = try #require(s["error"] as? [String: Any])
        #expect(error["kind"] as? String == "reject_limit")
        #expect((error["message"] as? String)?.contains("1 of 4 record(s) rejected, more than max_rejects = 20%: nothing was sent") == true)
        #expect(try sandbox.requests() == 0)
    }

    @Test func aFailedImportStageSaysTheRowsWereNotDeliveredAndCountsStillAddUp() throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts", "method": "POST", "kind": "500", "count": 20}"#)
        let dir = try project(Self.job(options: #"interval = 0.05, errors_file = "errors.csv""#))
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 5, "\(r.stderr)")
        // Each row that was not delivered is in the errors file with the stage that failed; the skipped one once.
        let errors = try String(contentsOfFile: dir + "/errors.csv", encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        #expect(errors.filter { $0.contains(",rejected,import,not delivered: import failed (Omnigage refused") }.count == 3, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("Ada,Quill,(407) 634-1732,ADA@example.com,1,2,rejected,import,") })
        #expect(errors.filter { $0.contains(",skipped,transform,no phone") }.count == 1)
        let s = try summary(r)
        #expect(s["sent"] as? Int == 0)
        #expect(balanced(s))
        let error = try #require(s["error"] as? [String: Any])
        #expect(error["kind"] as? String == "transport")
        #expect(error["stage"] as? String == "import")
        #expect(r.stderr.contains("roster: 3 row(s) were not delivered: import failed"))
        #expect(try sandbox.count("omnigage", "imports_created") == 0)

        // Resumed once the vendor is back: the upload is reused, one import is created.
        try sandbox.request("DELETE", "/_sandbox/faults")
        let resumed = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
    }

    @Test func hooksRunInOrderWithTheirDocumentedArgumentsAndOnRejectSeesEachRejection() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job(transform: """
            function(row)
                if row.Given == "Bob" then error("no Bobs") end
                return row
              end
            """, hooks: """
            {
                before_upload = function(file) print("before_upload", file.rows, file.name, file.type) file.name = "renamed.csv" end,
                after_upload = function(up) print("after_upload", up.name, up.bytes > 0) end,
                before_import = function(p) print("before_import", p.unique_primary_phone, p.mapping["first-name"])
                                            p.unique_primary_phone = true end,
                after_import = function(r) print("after_import", r.status, r.created, r.total) end,
                on_reject = function(row, reason, ctx) print("on_reject", row.Given, ctx.row, ctx.line, ctx.stage, reason:match("no Bobs")) end,
              }
            """))
        let r = try RosterProcess.run(["run", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 3, "\(r.stderr)")  // one record rejected
        #expect(r.stdout == """
            on_reject\tBob\t2\t3\ttransform\tno Bobs
            before_upload\t3\troster-import.csv\ttext/csv
            after_upload\trenamed.csv\ttrue
            before_import\tnil\tGiven
            after_import\tcompleted\t3\t3

            """, "\(r.stderr)")
    }

    @Test func anErrorInAPluginsHookStopsTheJobNamingTheHookAndThePlugin() throws {
        let sandbox = try SandboxProcess()
        let dir = try project("""
            local acme = require "acme"
            return roster.job { source = arg[1], target = roster.omnigage {}, mapping = { ["first-name"] = "Given", ["phone1-phone-number"] = "Mobile" },
                                options = { interval = 0.05 }, hooks = acme.hooks }
            """)
        try FileManager.default.createDirectory(atPath: dir + "/plugins/acme", withIntermediateDirectories: true)
        try writeFile(dir + "/plugins/acme", "init.lua", """
            return { name = "acme", hooks = { after_upload = function(up) error("quota reached") end } }
            """)
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 1)
        #expect(r.stderr.contains("plugins/acme/init.lua:1: quota reached (after_upload hook of plugin acme: the job stopped here"), "\(r.stderr)")
        let s = try summary(r)
        #expect((s["error"] as? [String: Any])?["stage"] as? String == "after_upload")
        #expect(balanced(s))
        // The upload is journalled: the fixed plugin resumes from there.
        try writeFile(dir + "/plugins/acme", "init.lua", "return { name = \"acme\", hooks = {} }")
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
    }

    @Test func jsonSummaryIsPrintedOnFailureAndOnOsExitWithTheRightElapsedTime() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "exit.lua", "local t = os.clock() while os.clock() - t < 1.2 do end\nos.exit(7)")
        let r = try RosterProcess.run(["run", "--json", "exit.lua"], in: dir)
        #expect(r.status == 7)
        let s = try summary(r)
        #expect(s["exit_code"] as? Int == 7)
        let elapsed = try #require(s["elapsed_s"] as? Double)
        #expect(elapsed >= 1.2 && elapsed < 10)

        try writeFile(dir, "bad.lua", "local x = nil\nreturn x.y")
        let bad = try RosterProcess.run(["run", "--json", "bad.lua"], in: dir)
        #expect(bad.status == 1)
        let b = try summary(bad)
        #expect((b["error"] as? [String: Any])?["kind"] as? String == "script")
        #expect(((b["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("bad.lua:2: attempt to index a nil value") == true)
    }

    @Test func unknownJobFieldsAndOptionsAreErrorsNamingTheNearest() throws {
        let dir = try project(Self.job(options: "uniqe_primary_phone = true"))
        let r = try RosterProcess.run(["run", "job.lua", "contacts.csv"], in: dir, environment: ["OMNIGAGE_KEY": "", "WHISPIR_API_KEY": ""])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("omnigage job: unknown option 'uniqe_primary_phone' (did you mean 'unique_primary_phone'?)"), "\(r.stderr)")
        try writeFile(dir, "typo.lua", "return roster.job { source = arg[1], target = roster.omnigage {}, maping = {} }")
        let t = try RosterProcess.run(["run", "typo.lua", "contacts.csv"], in: dir, environment: ["OMNIGAGE_KEY": "", "WHISPIR_API_KEY": ""])
        #expect(t.status == 2)
        #expect(t.stderr.contains("roster.job: unknown field 'maping' (did you mean 'mapping'?)"), "\(t.stderr)")
    }

    @Test func progressLineIsShownWithTheFlag() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job())
        let r = try RosterProcess.run(["run", "--progress", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 0)
        #expect(r.stderr.contains("transform: "), "\(r.stderr)")
        #expect(r.stderr.contains(" rows read, "))
        let quiet = try RosterProcess.run(["run", "--fresh", "--quiet", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(!quiet.stderr.contains("rows read"))
    }

    @Test(arguments: ["resource_created", "part_imported"])
    func aWhispirJobKilledAfterAStageResumesWithoutASecondResourceOrImport(stage: String) throws {
        let sandbox = try SandboxProcess()
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "staff.csv", """
            first,last,mobile
            John,Smith,0423 456 789
            Jane,Smith,0498 765 432

            """)
        try writeFile(dir, "job.lua", Self.whispirJob)
        var env = sandbox.environment
        env["ROSTER_TEST_KILL_AFTER"] = stage
        let killed = try RosterProcess.run(["run", "job.lua", "staff.csv"], in: dir, environment: env)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        let resumed = try RosterProcess.run(["run", "--json", "job.lua", "staff.csv"], in: dir, environment: sandbox.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let s = try summary(resumed)
        #expect(s["sent"] as? Int == 2)
        #expect(s["target"] as? String == "whispir")
        #expect(try sandbox.count("whispir", "resources_created") == 1)
        #expect(try sandbox.count("whispir", "imports_created") == 1)
        let again = try RosterProcess.run(["run", "job.lua", "staff.csv"], in: dir, environment: sandbox.environment)
        #expect(again.stderr.contains("already imported"))
        #expect(try sandbox.count("whispir", "imports_created") == 1)
    }

    @Test func aLargeWhispirJobGoesOutInPartsAndResumesAfterSIGKILLBetweenThem() async throws {
        let sandbox = try SandboxProcess()
        let dir = try makeTemporaryDirectory()
        // About 20 MB: three resources under Whispir's 10 MB request limit once base64-encoded.
        var text = "first,last,mobile,notes\n"
        let notes = String(repeating: "n", count: 200)
        for i in 0 ..< 87_000 { text += "Ann\(i),Lee,0423 \(String(format: "%03d %03d", i / 1000 % 1000, i % 1000)),\(notes)\n" }
        try writeFile(dir, "big.csv", text)
        try writeFile(dir, "job.lua", Self.whispirJob)
        var env = sandbox.environment
        env["ROSTER_TEST_KILL_AFTER"] = "part_imported"
        let killed = try await RosterProcess.run(["run", "job.lua", "big.csv"], in: dir, environment: env)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        #expect(try sandbox.count("whispir", "imports_created") == 1)
        let resumed = try await RosterProcess.run(["run", "--json", "job.lua", "big.csv"], in: dir, environment: sandbox.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let s = try summary(resumed)
        #expect(s["sent"] as? Int == 87_000)
        #expect((s["imports"] as? [[String: Any]])?.count == 3)
        #expect(try sandbox.count("whispir", "resources_created") == 3)
        #expect(try sandbox.count("whispir", "imports_created") == 3)
    }

    @Test func anUntransformedXLSGoesToOmnigageUntouchedAndATransformedOneAsCSV() throws {
        let dir = try makeTemporaryDirectory()
        let input = dir + "/contacts.xls"
        try FileManager.default.copyItem(atPath: repositoryRoot + "/Tests/TabularTests/Fixtures/xls/contacts.xls", toPath: input)
        let mapping = #"mapping = { ["first-name"] = "First name", ["email1-email-address"] = "Email", ["phone1-phone-number"] = "Mobile" }"#
        try writeFile(dir, "job.lua", "return roster.job { source = arg[1], target = roster.omnigage {}, \(mapping), options = { interval = 0.05 } }")
        let r = try RosterProcess.run(["run", "--sandbox", "--json", "job.lua", "contacts.xls"], in: dir, environment: ["OMNIGAGE_KEY": "", "WHISPIR_API_KEY": ""])
        #expect(r.stderr.contains("contacts.xls is sent as it is (XLS, no transform)"), "\(r.stderr)")
        let s = try summary(r)
        #expect((s["read"] as? Int, s["sent"] as? Int) == (7, 7))
        let stored = try FileManager.default.contentsOfDirectory(atPath: dir + "/.roster/sandbox").filter { $0.hasSuffix("contacts.xls") }
        #expect(stored.count == 1)
        #expect(FileManager.default.contentsEqual(atPath: dir + "/.roster/sandbox/" + (stored.first ?? ""), andPath: input))

        // With a transform, the rows Roster wrote go instead (CSV).
        try writeFile(dir, "job.lua", "return roster.job { source = arg[1], target = roster.omnigage {}, \(mapping), options = { interval = 0.05 },"
                      + " transform = function(row) row.Email = row.Email:lower() return row end }")
        let transformed = try RosterProcess.run(["run", "--sandbox", "job.lua", "contacts.xls"], in: dir, environment: ["OMNIGAGE_KEY": "", "WHISPIR_API_KEY": ""])
        #expect(!transformed.stderr.contains("is sent as it is"), "\(transformed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/.roster/sandbox").contains { $0.hasSuffix(".csv") && !$0.hasPrefix("errors-") })
    }

    @Test func aWhispirJobCanSendJSONResources() throws {
        let sandbox = try SandboxProcess()
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "staff.csv", "first;last;mobile\nJosé;Smith;0423 456 789\nJane;Smith;0498 765 432\n")
        try writeFile(dir, "job.lua", Self.whispirJob.replacingOccurrences(of: #"import_mode = "duplicate""#,
                                                                           with: #"import_mode = "duplicate", resource_format = "json""#))
        let r = try RosterProcess.run(["run", "--json", "job.lua", "staff.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try summary(r)["sent"] as? Int == 2)
        #expect(try sandbox.count("whispir", "resources_created") == 1)
        let bad = try RosterProcess.run(["check", "job.lua", "staff.csv"], in: dir, environment: sandbox.environment)
        #expect(bad.status == 0, "\(bad.stderr)")
        try writeFile(dir, "job.lua", Self.whispirJob.replacingOccurrences(of: #"import_mode = "duplicate""#,
                                                                           with: #"import_mode = "duplicate", resource_format = "yaml""#))
        let refused = try RosterProcess.run(["run", "job.lua", "staff.csv"], in: dir, environment: sandbox.environment)
        #expect(refused.status == 2 && refused.stderr.contains("resource_format must be csv, json or xml"), "\(refused.stderr)")
    }

    @Test func errorsFromAJobKeepTheirKindInLua() throws {
        let dir = try project("""
            local job = roster.job { source = arg[1], target = roster.omnigage {}, mapping = { ["first-name"] = "Given" },
                                     transform = function(row) if row.Given == "Bob" then error("no") end return row end,
                                     options = { max_rejects = 0 } }
            local ok, err = pcall(roster.run, job)
            print(ok, err.kind, tostring(err):match("more than max_rejects = 0") ~= nil)
            """)
        let r = try RosterProcess.run(["run", "job.lua", "contacts.csv"], in: dir, environment: ["OMNIGAGE_KEY": "", "WHISPIR_API_KEY": ""])
        #expect(r.stdout == "false\treject_limit\ttrue\n", "\(r.stderr)")
        #expect(r.status == 3)  // the rejected record still counts
    }

    @Test func ctrlCStopsTheJobWithExit130AndTheJournalResumes() throws {
        let sandbox = try SandboxProcess()
        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts", "method": "POST", "kind": "delay", "delayMs": 1500, "count": 1}"#)
        let dir = try project(Self.job())
        func journal() -> String {
            let folder = dir + "/.roster/journal"
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return files.compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
        }
        // Ctrl-C once the upload is journalled.
        let run = try interrupt(["job.lua", "contacts.csv"], in: dir, environment: sandbox.environment) { journal().contains(#""event":"uploaded""#) }
        #expect(run.status == 130)
        let s = try #require(try JSONSerialization.jsonObject(with: Data(run.last.utf8)) as? [String: Any], "\(run.last)")
        #expect((s["error"] as? [String: Any])?["kind"] as? String == "interrupted")
        #expect(s["exit_code"] as? Int == 130)
        #expect(balanced(s))
        // Every line of the journal is whole, and a re-run finishes the job with one upload and one import.
        for line in journal().split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
        }
        let resumed = try RosterProcess.run(["run", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try sandbox.count("omnigage", "uploads_created") == 1)
        #expect(try sandbox.count("omnigage", "imports_created") == 1)
    }

    @Test func osExitInsideATransformEndsTheRunWithThatCodeAndEveryRowAccountedFor() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job(transform: """
            function(row)
                if row.Given == "Cy" then os.exit(6) end
                return row
              end
            """))
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 6, "\(r.stderr)")
        let s = try summary(r)
        #expect(s["exit_code"] as? Int == 6)
        #expect(s["read"] as? Int == 3)
        #expect(balanced(s))
        #expect(try sandbox.requests() == 0)
    }

    @Test func checkOfAWhispirJobMissingMandatoryFieldsNamesThemAndExits2() throws {
        let sandbox = try SandboxProcess()
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "staff.csv", "first,last,mobile\nJohn,Smith,61423456789\n")
        try writeFile(dir, "job.lua", """
            return roster.job { source = arg[1], target = roster.whispir {},
                                mapping = { firstName = "first", lastName = "last", workMobilePhone1 = "mobile" } }
            """)
        let r = try RosterProcess.run(["check", "job.lua", "staff.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.contains("required fields nothing maps to: workCountry, timezone"), "\(r.stdout)")
        #expect(r.stdout.contains("problem: "))
        #expect(try sandbox.requests() == 0)
    }

    /// Starts `roster run --json ARGS` in `dir`, sends `signal` once `ready()` holds, and returns the exit
    /// status, the last stdout line and how long the run took after the signal.
    func interrupt(_ arguments: [String], in dir: String, environment: [String: String] = ["OMNIGAGE_KEY": "", "WHISPIR_API_KEY": ""],
                   signal: Int32 = SIGINT, when ready: () -> Bool) throws -> (status: Int32, last: String, afterSignal: TimeInterval) {
        let process = Process()
        process.executableURL = RosterProcess.executable
        process.arguments = ["run", "--json"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !ready(), Date() < deadline { usleep(20_000) }
        let sent = Date()
        kill(process.processIdentifier, signal)
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let last = String(decoding: printed, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        return (process.terminationStatus, last, Date().timeIntervalSince(sent))
    }

    @Test func ctrlCStopsAnEndlessLoopInTheScriptWithTheSummary() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "spin.lua", "io.open('started', 'w'):close()\nlocal n = 0\nwhile true do n = n + 1 end")
        let r = try interrupt(["spin.lua"], in: dir) { FileManager.default.fileExists(atPath: dir + "/started") }
        #expect(r.status == 130)
        #expect(r.afterSignal < 2.5)  // stopped by the hook, not by the 3 s fallback
        let s = try #require(try JSONSerialization.jsonObject(with: Data(r.last.utf8)) as? [String: Any], "\(r.last)")
        let error = try #require(s["error"] as? [String: Any])
        #expect(error["kind"] as? String == "interrupted")
        #expect((error["message"] as? String)?.contains("spin.lua:3") == true)
    }

    @Test func sigtermDuringAWriteLeavesNoHalfWrittenFileAndExits143() throws {
        let dir = try makeTemporaryDirectory()
        var csv = "name,n\n"
        for i in 0 ..< 200_000 { csv += "row\(i),\(i)\n" }
        try writeFile(dir, "in.csv", csv)
        try writeFile(dir, "slow.lua", """
            local src = roster.read(arg[1])
            roster.write(src:map(function(row)
              if row.n == "1000" then io.open("started", "w"):close() end
              local x = 0
              for i = 1, 2000 do x = x + i end
              return row
            end), "out.csv")
            """)
        let r = try interrupt(["slow.lua", "in.csv"], in: dir, signal: SIGTERM) { FileManager.default.fileExists(atPath: dir + "/started") }
        #expect(r.status == 143)
        let s = try #require(try JSONSerialization.jsonObject(with: Data(r.last.utf8)) as? [String: Any], "\(r.last)")
        #expect((s["error"] as? [String: Any])?["kind"] as? String == "terminated")
        #expect(balanced(s))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == ["in.csv", "slow.lua", "started"])
    }

    @Test func anEndlessFinalizerAfterTheScriptEndsTheProcessInsteadOfHanging() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "gc.lua", "setmetatable({}, {__gc = function() while true do end end})\nprint('done')")
        let started = Date()
        let r = try RosterProcess.run(["run", "--callback-timeout", "1", "gc.lua"], in: dir)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(r.status == 1)
        #expect(r.stdout.contains("done"))
        #expect(r.stderr.contains("__gc finalizer was still running 1 s after the script ended"), "\(r.stderr)")
    }

    @Test func aHardExitDuringAWriteStuckInCLeavesNoPartialFile() throws {
        let dir = try makeTemporaryDirectory()
        var csv = "name,n\n"
        for i in 0 ..< 5000 { csv += "row\(i),\(i)\n" }
        try writeFile(dir, "in.csv", csv)
        // At row 1000 the transform sits in a catastrophic pattern inside string.find, out of the stop
        // hook's reach: SIGTERM's grace runs out and the process exits hard.
        try writeFile(dir, "stuck.lua", """
            local src = roster.read(arg[1])
            roster.write(src:map(function(row)
              if row.n == "1000" then
                io.open("started", "w"):close()
                string.find(string.rep("a", 60), string.rep("a*", 60) .. "b")
              end
              return row
            end), "out.csv")
            """)
        let r = try interrupt(["stuck.lua", "in.csv"], in: dir, signal: SIGTERM) { FileManager.default.fileExists(atPath: dir + "/started") }
        #expect(r.status == 143)
        #expect(r.afterSignal >= 2.5 && r.afterSignal < 10)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == ["in.csv", "started", "stuck.lua"])
    }

    @Test func secretsNeverLeaveInOutputJournalOrErrorsFile() throws {
        let sandbox = try SandboxProcess()
        let dir = try project("""
            local og = roster.omnigage {}
            roster.run(roster.job { source = arg[1], target = og, mapping = { ["first-name"] = "Given", ["phone1-phone-number"] = "Mobile" },
                                    transform = function(row) if row.Mobile == "" then error("no phone") end return row end,
                                    options = { interval = 0.05, errors_file = "errors.csv" } })
            local wh = roster.whispir {}
            print(roster.json.encode(og:create_upload { name = "x.csv", size = 3 }))
            print(tostring(og), tostring(wh), os.getenv("OMNIGAGE_SECRET"), roster.env("WHISPIR_PASSWORD"))
            """)
        let r = try RosterProcess.run(["run", "--verbose", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 3, "\(r.stderr)")  // one row rejected
        var texts = [r.stdout, r.stderr]
        let journal = dir + "/.roster/journal"
        for file in try FileManager.default.contentsOfDirectory(atPath: journal) {
            texts.append(try String(contentsOfFile: journal + "/" + file, encoding: .utf8))
        }
        texts.append(try String(contentsOfFile: dir + "/errors.csv", encoding: .utf8))
        let secrets = ["sandbox-secret", "sandbox-password", "sandbox-api-key",
                       Data("sandbox-key:sandbox-secret".utf8).base64EncodedString(),
                       Data("sandbox.user:sandbox-password".utf8).base64EncodedString()]
        for secret in secrets {
            #expect(!texts.contains { $0.contains(secret) }, "\(secret) leaked")
        }
        #expect(r.stderr.contains("POST"))  // --verbose did show the requests
    }

    @Test func aMisspeltOmnigageFieldStopsBeforeTheFirstRequestWithASuggestion() throws {
        let sandbox = try SandboxProcess()
        let dir = try project("""
            return roster.job { source = arg[1], target = roster.omnigage {},
                                mapping = { ["frist-name"] = "Given", ["phone1-phone-number"] = "Mobile", ["address1-city"] = "Family" } }
            """)
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("mapping field 'frist-name' is not an Omnigage contact field: did you mean 'first-name'?"))
        #expect(!r.stderr.contains("'address1-city' is not an Omnigage contact field"))  // an unknown name passes (a warning)
        #expect(try sandbox.requests() == 0)
        let s = try summary(r)
        #expect((s["error"] as? [String: Any])?["stage"] as? String == "check")
        #expect(balanced(s))

        let check = try RosterProcess.run(["check", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(check.status == 2)
        #expect(check.stdout.contains("problem: mapping field 'frist-name'"))
        #expect(check.stdout.contains("warning: mapping field 'address1-city' is not a documented Omnigage contact field"))
    }

    @Test func rowsTheVendorWouldRefuseAreRejectedBeforeAnythingIsSent() throws {
        let sandbox = try SandboxProcess()
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "contacts.csv", "Given,Family,Mobile,Email\nAda,Quill,+14076341732,\nNo,Contact,,\nBad,Email,,bad@@example.com\n")
        try writeFile(dir, "job.lua", Self.job(options: #"interval = 0.05, errors_file = "errors.csv""#, transform: "function(row) return row end"))
        let check = try RosterProcess.run(["check", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(check.status == 3, "\(check.stderr)")
        #expect(check.stdout.contains("rows: 3 read, 1 would be sent, 0 skipped, 2 rejected"), "\(check.stdout)")
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 3, "\(r.stderr)")
        let s = try summary(r)
        #expect((s["sent"] as? Int, s["rejected"] as? Int) == (1, 2))
        let errors = try String(contentsOfFile: dir + "/errors.csv", encoding: .utf8)
        #expect(errors.contains("No,Contact,,,2,3,rejected,validate,no phone and no email: Omnigage needs one of them to identify the contact"), "\(errors)")
        #expect(errors.contains("Bad,Email,,bad@@example.com,3,4,rejected,validate,\"email1-email-address \"\"bad@@example.com\"\" is not an email address"),
                "\(errors)")
        #expect(try sandbox.count("omnigage", "contacts") == 1)
    }

    @Test func resultsFlagWritesEveryRecordOnceWithItsOutcome() throws {
        let sandbox = try SandboxProcess()
        let dir = try project(Self.job())
        let r = try RosterProcess.run(["run", "--json", "--results", "out/results.csv", "job.lua", "contacts.csv"], in: dir,
                                      environment: sandbox.environment)
        // A folder that does not exist is found before anything is sent, not after the import.
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("results file out/results.csv: the folder out does not exist"))
        #expect(try sandbox.requests() == 0)
        #expect(balanced(try summary(r)))
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        let again = try RosterProcess.run(["run", "--fresh", "--json", "--results", "out/results.csv", "job.lua", "contacts.csv"], in: dir,
                                          environment: sandbox.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try summary(again)["results_file"] as? String == "out/results.csv")
        let lines = try String(contentsOfFile: dir + "/out/results.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        #expect(lines.count == 5)
        #expect(lines.first == "Given,Family,Mobile,Email,_row,_line,_outcome,_reason,_id,_warnings")
        #expect(lines.contains { $0.hasPrefix("Cy,Vale,,cy@example.com,3,4,skipped,no phone") })
        #expect(lines.filter { $0.contains(",created,") }.count == 3, "\(lines)")
    }

    @Test func aPaddedRowCarriesItsWarningToTheTransformTheSummaryAndTheErrorsAndResultsFiles() throws {
        let sandbox = try SandboxProcess()
        let dir = try makeTemporaryDirectory()
        // Bob's row was cut off before his opt-out: padded on request, it must never pass unnoticed.
        try writeFile(dir, "contacts.csv", "Given,Family,Mobile,Opt_out\nAda,Quill,407 634 1732,no\nBob,Stone,407 555 0100\nCy,Vale,407 555 0199,yes\n")
        try writeFile(dir, "job.lua", """
            return roster.job {
              source = roster.read(arg[1], { ragged = "pad" }), target = roster.omnigage {},
              transform = function(row, ctx)
                if ctx.warnings then return nil, "cut off: " .. ctx.warnings[1] end
                return row
              end,
              mapping = { ["first-name"] = "Given", ["last-name"] = "Family", ["phone1-phone-number"] = "Mobile" },
              options = { interval = 0.05, errors_file = "errors.csv", results_file = "results.csv" },
            }
            """)
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let s = try summary(r)
        #expect((s["read"] as? Int, s["sent"] as? Int, s["skipped"] as? Int) == (3, 2, 1))
        #expect(s["rows_with_warnings"] as? Int == 1)
        let examples = s["warning_examples"] as? [String] ?? []
        #expect(examples.contains { $0.contains("contacts.csv row 2 (line 3): 3 field(s), the header has 4: padded") }, "\(examples)")
        #expect(r.stderr.contains("1 skipped, 0 rejected, 1 with warnings"), "\(r.stderr)")

        let errors = try String(contentsOfFile: dir + "/errors.csv", encoding: .utf8)
        #expect(errors.contains("Bob,Stone,407 555 0100,,2,3,skipped,transform,\"cut off: 3 field(s), the header has 4: padded with empty values"
                                + " (ragged = \"\"pad\"\")\",\"3 field(s)"), "\(errors)")
        let results = try String(contentsOfFile: dir + "/results.csv", encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        #expect(results.first?.hasSuffix("_outcome,_reason,_id,_warnings") == true)
        #expect(results.filter { $0.hasSuffix("padded with empty values (ragged = \"\"pad\"\")\"") }.count == 1, "\(results)")
    }

    @Test func vendorErredRowsReachTheErrorsFileWithTheirOwnLinesAndTheResultsFileListsEveryRecordOnce() throws {
        let sandbox = try SandboxProcess()
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "contacts.csv", """
            Given,Family,Mobile,Email
            Ada,Quill,(407) 634-1732,ada@example.com
            Bob,Stone,12345,bob@example.com
            Cy,Vale,,cy@example.com
            "Di
            Anne",Moss,407 555 0199,di@example.com

            """)
        try writeFile(dir, "job.lua", Self.job(options: #"interval = 0.05, errors_file = "errors.csv", results_file = "results.csv""#))
        let r = try RosterProcess.run(["run", "--json", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 3, "\(r.stderr)")  // a row erred by the vendor
        let s = try summary(r)
        #expect((s["sent"] as? Int, s["skipped"] as? Int) == (3, 1))
        #expect(s["results_file"] as? String == "results.csv")
        #expect((s["imports"] as? [[String: Any]])?.first?["erred"] as? Int == 1)

        let errors = try String(contentsOfFile: dir + "/errors.csv", encoding: .utf8)
        // The files are CRLF (RFC 4180): "\r\n" is one Character in Swift.
        let errorLines = errors.split(whereSeparator: \.isNewline).map(String.init)
        #expect(errorLines.count == 3, "\(errors)")
        #expect(errorLines.contains { $0.hasPrefix("Cy,Vale,,cy@example.com,3,4,skipped,transform,no phone") })
        #expect(errorLines.contains { $0.hasPrefix("Bob,Stone,12345,bob@example.com,2,3,erred,vendor,") && $0.lowercased().contains("phone") },
                "\(errors)")

        let results = try String(contentsOfFile: dir + "/results.csv", encoding: .utf8)
        let reader = results.split(whereSeparator: \.isNewline).map(String.init)
        #expect(reader.first == "Given,Family,Mobile,Email,_row,_line,_outcome,_reason,_id,_warnings")
        let outcomes = reader.dropFirst().compactMap { line -> String? in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return cells.count >= 10 ? "\(cells[cells.count - 6]):\(cells[cells.count - 5]):\(cells[cells.count - 4])" : nil
        }
        #expect(outcomes == ["1:2:created", "2:3:erred", "3:4:skipped", "4:5:created"], "\(results)")
    }

    @Test func aCallbackPastItsWallClockLimitIsRejectedAndOneStuckInCEndsTheRun() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "in.csv", "name\nAnn\nBo\nCy\n")
        try writeFile(dir, "slow.lua", """
            local src = roster.read(arg[1])
            roster.write(src:map(function(row)
              if row.name == "Bo" then while true do end end
              return row
            end), "out.csv")
            """)
        let slow = try RosterProcess.run(["run", "--json", "--lua-budget", "0", "--callback-timeout", "1", "slow.lua", "in.csv"], in: dir)
        #expect(slow.status == 3, "\(slow.stderr)")
        let s = try summary(slow)
        #expect((s["read"] as? Int, s["sent"] as? Int, s["rejected"] as? Int) == (3, 2, 1))

        // Inside a C function (an exponential string pattern) no hook runs: the watchdog ends the run.
        try writeFile(dir, "stuck.lua", """
            local src = roster.read(arg[1])
            roster.write(src:map(function(row)
              if row.name == "Bo" then string.find(("a"):rep(40), ("a?"):rep(40) .. ("a"):rep(40) .. "b") end
              return row
            end), "out.csv")
            """)
        let started = Date()
        let stuck = try RosterProcess.run(["run", "--callback-timeout", "1", "stuck.lua", "in.csv"], in: dir)
        #expect(stuck.status == 1)
        #expect(stuck.stderr.contains(" s, past the 1 s limit, inside a C function the instruction budget cannot stop"), "\(stuck.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func contactFilesArePrivateAndGoneEvenWhenCtrlCHasToExitHard() throws {
        let sandbox = try SandboxProcess()
        // The import request hangs longer than the 3 s Ctrl-C grace, so the run exits the hard way.
        try sandbox.fault(#"{"path": "/omnigage/api/v1/import-contacts", "method": "POST", "kind": "delay", "delayMs": 8000, "count": 1}"#)
        let dir = try project(Self.job())
        let temp = try makeTemporaryDirectory()
        var modes: [String: Int] = [:]
        var seen: Date?
        func uploaded() -> Bool {
            // Half a second after the upload was journalled, the import request is hanging at the sandbox.
            if let seen { return Date().timeIntervalSince(seen) > 0.5 }
            let folder = dir + "/.roster/journal"
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            guard files.contains(where: { (try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8))?.contains(#""event":"uploaded""#) == true })
            else { return false }
            for sub in (try? FileManager.default.subpathsOfDirectory(atPath: temp)) ?? [] {
                let attributes = try? FileManager.default.attributesOfItem(atPath: temp + "/" + sub)
                modes[sub] = (attributes?[.posixPermissions] as? NSNumber)?.intValue
            }
            seen = Date()
            return false
        }
        let run = try interrupt(["job.lua", "contacts.csv"], in: dir, environment: sandbox.environment.merging(["TMPDIR": temp]) { $1 },
                                when: uploaded)
        #expect(run.status == 130)
        #expect(run.afterSignal >= 2.5)  // the hard way: the 3 s grace ran out
        #expect(!modes.isEmpty)
        for (path, mode) in modes {
            #expect(mode == (path.contains("/") ? 0o600 : 0o700), "\(path) has mode \(String(mode, radix: 8))")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp).isEmpty)
    }

    @Test func timeSpentInRostersOwnFunctionsDoesNotCountAgainstACallback() throws {
        let sandbox = try SandboxProcess()
        // The import waits 2.5 s at the sandbox inside after_upload's og:wait-like call: a 1 s callback limit must not fire.
        try sandbox.fault(#"{"path": "/omnigage/api/v1/uploads", "method": "POST", "kind": "delay", "delayMs": 2500, "count": 1}"#)
        let dir = try project(Self.job(hooks: """
            { before_upload = function(file)
                local og = roster.omnigage {}
                og:create_upload { name = "probe.csv", size = 1 }   -- waits 2.5 s inside Roster
                local n = 0
                for i = 1, 100000 do n = n + i end                  -- then Lua runs on: the hook checks the clock
              end }
            """))
        let r = try RosterProcess.run(["run", "--callback-timeout", "1", "job.lua", "contacts.csv"], in: dir, environment: sandbox.environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("time limit exceeded") && !r.stderr.contains("past the 1 s limit"))
    }
}
