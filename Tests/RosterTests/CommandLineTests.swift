import Foundation
@_exported import RosterTestSupport  // temp-file helpers for every file of this target
import Testing

/// Runs the built `roster` executable as a user would.
struct RosterProcess {
    static var executable: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("roster"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("roster"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/roster").standardized,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[2]
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ROSTER_PLUGIN_PATH")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// The same run, waited for on a thread of its own: an async test then never holds one of the few
    /// cooperative threads (two on this machine) while roster runs, which starved the timing-sensitive tests.
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await offThePool { try run(arguments, in: directory, environment: environment) }
    }
}

/// Runs blocking work (a child process, a fuzzing campaign) on its own thread and awaits it. No
/// `#expect` inside: issues are attributed to a test only on its own task.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Swift.Result { try body() }) }
    }
}


@Suite struct CommandLineTests {
    @Test func runPassesArgumentsAsArgAndVarargs() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "args.lua", "print(arg[0], arg[1], arg[2], select('#', ...), ...)")
        let r = try RosterProcess.run(["run", "args.lua", "in.csv", "--verbose"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout == "args.lua\tin.csv\t--verbose\t2\tin.csv\t--verbose\n")
    }

    @Test func scriptErrorPrintsFileLineAndTracebackAndExits1() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "job.lua", "local function f(row)\n  return row.name.first\nend\nf({})\n")
        let r = try RosterProcess.run(["run", "job.lua"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("roster: job.lua:2: attempt to index a nil value (field 'name')\nstack traceback:"))
        #expect(r.stderr.contains("job.lua:4: in main chunk"))
    }

    @Test func usageErrorsExit2() throws {
        #expect(try RosterProcess.run(["run"]).status == 2)
        #expect(try RosterProcess.run(["frobnicate"]).status == 2)
        #expect(try RosterProcess.run(["run", "--lua-memory", "lots", "x.lua"]).status == 2)
    }

    @Test func helpListsExamplesAndVersionPrints() throws {
        let help = try RosterProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("roster run examples/hello.lua"))
        let version = try RosterProcess.run(["version"])
        #expect(version.stdout.hasPrefix("roster 0."))
    }

    @Test func requireFindsPluginsFromEachPathSource() throws {
        let dir = try makeTemporaryDirectory(), extra = try makeTemporaryDirectory(), env = try makeTemporaryDirectory()
        try writeFile(dir, "plugins/local.lua", "return 'from ./plugins'")
        try writeFile(extra, "flagged/init.lua", "return 'from --plugins'")
        try writeFile(env, "fromenv.lua", "return 'from ROSTER_PLUGIN_PATH'")
        try writeFile(dir, "job.lua", "print((require 'local')); print((require 'flagged')); print((require 'fromenv'))")
        let r = try RosterProcess.run(["run", "--plugins", extra, "job.lua"], in: dir, environment: ["ROSTER_PLUGIN_PATH": env])
        #expect(r.stderr == "")
        #expect(r.stdout == "from ./plugins\nfrom --plugins\nfrom ROSTER_PLUGIN_PATH\n")
    }

    @Test func pluginsCommandListsBrokenPluginWithItsError() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "plugins/acme.lua", "return { name = 'acme', version = '0.3.1', description = 'Acme CSV cleanup' }")
        try writeFile(dir, "plugins/broken/init.lua", "error('missing mapping')")
        let r = try RosterProcess.run(["plugins"], in: dir)
        #expect(r.status == 1)  // a broken plugin fails the command, so CI notices
        #expect(r.stdout.contains("acme    0.3.1    Acme CSV cleanup"))
        #expect(r.stdout.contains("broken  -        ERROR: plugins/broken/init.lua:1: missing mapping"))
        #expect(r.stderr.contains("roster: 1 plugin(s) failed to load: broken"))
        let json = try RosterProcess.run(["plugins", "--json"], in: dir)
        #expect(json.stdout.contains(#""name":"acme""#))
        #expect(json.status == 1)
        try FileManager.default.removeItem(atPath: dir + "/plugins/broken")
        #expect(try RosterProcess.run(["plugins"], in: dir).status == 0)
    }

    @Test func aMissingPluginsOrAllowPathFolderIsAUsageError() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "x.lua", "print(1)")
        let r = try RosterProcess.run(["run", "--plugins", "/nonexistent/plugins", "x.lua"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("--plugins /nonexistent/plugins: no such folder"))
        let a = try RosterProcess.run(["run", "--allow-path", "/nonexistent/data", "x.lua"], in: dir)
        #expect(a.status == 2)
        #expect(a.stderr.contains("--allow-path /nonexistent/data: no such folder"))
        for command in ["run", "check"] {
            let missing = try RosterProcess.run([command, "nothere.lua", "data.csv"], in: dir)
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("nothere.lua: no such script") && missing.stderr.contains("Usage: roster \(command)"), "\(missing.stderr)")
        }
    }

    @Test func sandboxIsOnByDefaultAndUnsafeLiftsIt() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "x.lua", "print(type(os.execute))")
        #expect(try RosterProcess.run(["run", "x.lua"], in: dir).stdout == "nil\n")
        #expect(try RosterProcess.run(["run", "--unsafe", "x.lua"], in: dir).stdout == "function\n")
    }

    @Test func memoryCeilingFlagEndsARunawayScript() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "m.lua", "local t = {} for i = 1, 1e8 do t[i] = tostring(i) end")
        let r = try RosterProcess.run(["run", "--lua-memory", "32M", "m.lua"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("not enough memory"))
    }
}

@Suite struct InspectCommandTests {
    @Test func inspectReportsHeaderRowsAndRejectedLine() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "seed.csv", "firstName,lastName,phone\nJohn,Wick,61423456789\nJane,Doe,61498765432,extra\n")
        let r = try RosterProcess.run(["inspect", "seed.csv"], in: dir)
        #expect(r.status == 0)
        #expect(r.stdout.contains("Columns:   3: firstName, lastName, phone"))
        #expect(r.stdout.contains("Rows:      2 (1 rejected)"))
        #expect(r.stdout.contains("record 2, line 3:"))
        let json = try RosterProcess.run(["inspect", "--json", "seed.csv"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["rows"] as? Int == 2)
        #expect(object?["header"] as? [String] == ["firstName", "lastName", "phone"])
    }

    @Test func inspectTakesTheHeaderRowAndShowsACutOffRowAsRejected() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "t.csv", "Credit union export\nphone,name,opt_out\n1,Ann,no\n2,Bob\n")
        let r = try RosterProcess.run(["inspect", "--header", "2", "t.csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Columns:   3: phone, name, opt_out"), "\(r.stdout)")
        #expect(r.stdout.contains("Rows:      2 (1 rejected)"))
        #expect(r.stdout.contains("record 2, line 4: record has 2 field(s), the header has 3"))
        let padded = try RosterProcess.run(["inspect", "--skip", "1", "--ragged", "pad", "t.csv"], in: dir)
        #expect(padded.stdout.contains("Rows:      2 (0 rejected)"), "\(padded.stdout)")
        let hint = try RosterProcess.run(["inspect", "t.csv"], in: dir)
        #expect(hint.stdout.contains("read it with header = 2 (roster inspect --header 2 t.csv)"), "\(hint.stdout)")
        try writeFile(dir, "c.csv", "# exported\nphone|name\n'1|2'|Ann\n")
        let options = try RosterProcess.run(["inspect", "--comment", "#", "--quote", "'", "--encoding", "cp1252", "c.csv"], in: dir)
        #expect(options.stdout.contains("1|2 | Ann"), "\(options.stdout)")
        let bad = try RosterProcess.run(["inspect", "--ragged", "fill", "t.csv"], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains("--ragged must be reject or pad"))
    }

    @Test func inspectOfMissingFileExits1WithPath() throws {
        let r = try RosterProcess.run(["inspect", "/nonexistent/x.csv"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/x.csv"))
    }
}

@Suite struct RunSummaryTests {
    @Test func jsonSummaryIsTheLastLineAndRejectedRowsExit3() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "in.csv", "name,phone\nAnn,1\nBo,2,extra\nCy,\n")
        try writeFile(dir, "job.lua", """
            local src = roster.read(arg[1])
            roster.write(src:map(function(row) if row.phone == '' then return nil, 'no phone' end return row end), 'out.csv', { errors = 'errors.csv' })
            print('done')
            """)
        let r = try RosterProcess.run(["run", "--json", "job.lua", "in.csv"], in: dir)
        #expect(r.status == 3)
        let last = try #require(r.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(object["read"] as? Int == 3)
        #expect(object["sent"] as? Int == 1)
        #expect(object["skipped"] as? Int == 1)
        #expect(object["rejected"] as? Int == 1)
        #expect(object["errors_file"] as? String == "errors.csv")
        #expect(object["target"] is NSNull)
        #expect(r.stdout.hasPrefix("done\n"))
        #expect(r.stderr.contains("roster: rows: 3 read, 1 sent, 1 skipped, 1 rejected (errors file: errors.csv)"))
    }

    @Test func cleanRunExits0AndQuietKeepsStderrEmpty() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "in.csv", "name\nAnn\n")
        try writeFile(dir, "job.lua", "roster.write(roster.read(arg[1]), 'out.csv')")
        let r = try RosterProcess.run(["run", "--quiet", "job.lua", "in.csv"], in: dir)
        #expect(r.status == 0)
        #expect(r.stderr == "")
    }
}

@Suite struct RunSummaryImportTests {
    @Test func jsonSummaryNamesTargetAndImportsOfTheExampleJob() throws {
        let root = try projectCopy()
        var env: [String: String] = [:]
        for key in ["OMNIGAGE_KEY", "WHISPIR_API_KEY"] { env[key] = "" }
        let r = try RosterProcess.run(["run", "--json", "examples/omnigage_import.lua", "examples/data/contacts.csv"], in: root, environment: env)
        #expect(r.status == 0)
        let last = try #require(r.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(object["target"] as? String == "omnigage")
        let imports = try #require(object["imports"] as? [[String: Any]])
        #expect(imports.count == 1)
        #expect(imports.first?["status"] as? String == "completed")
        #expect(object["read"] as? Int == 4)
        #expect(object["sent"] as? Int == 4)
    }
}

@Suite struct DocumentationTests {
    /// Project paths (`examples/...`, `plugins/...`, `docs/...`, `scripts/...`) named in `text`.
    func projectPaths(in text: String) -> Set<String> {
        Set(text.matches(of: /(?:examples|plugins|docs|scripts)\/[A-Za-z0-9_.\/-]*[A-Za-z0-9_]/).map { String($0.output) })
    }

    @Test func readmeAndHelpNameOnlyFilesThatExist() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let help = try RosterProcess.run(["--help"]).stdout
        let named = projectPaths(in: readme).union(projectPaths(in: help))
        #expect(named.contains("examples/job.lua"))
        #expect(projectPaths(in: help).contains("examples/data/contacts.csv"))
        // Placeholders such as plugins/NAME/init.lua are not files.
        for path in named.sorted() where !path.contains("NAME") {
            #expect(FileManager.default.fileExists(atPath: repositoryRoot + "/" + path), "\(path) is named but does not exist")
        }
        #expect(!readme.contains("../shared") && !readme.contains("design.md"))
    }

    @Test func theReadmesFirstJobRunsThenSaysAlreadyImported() throws {
        let dir = try projectCopy()
        let env = ["OMNIGAGE_KEY": "", "WHISPIR_API_KEY": ""]
        let first = try RosterProcess.run(["run", "--progress", "examples/job.lua", "examples/data/contacts.csv"], in: dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("transform: "))
        #expect(first.stderr.contains("roster: rows: 4 read, 4 sent, 0 skipped, 0 rejected"))
        #expect(first.stderr.contains(": completed (created 4, updated 0, erred 0)"))
        let second = try RosterProcess.run(["run", "examples/job.lua", "examples/data/contacts.csv"], in: dir, environment: env)
        #expect(second.status == 0)
        #expect(second.stderr.contains("roster: already imported: import "), "\(second.stderr)")
        #expect(!second.stderr.contains("rows: 4 read"))
    }
}

@Suite struct AccountingExitTests {
    @Test func aRecordLeftUnaccountedByAnExitTheScriptCaughtNeverEndsIn0() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "in.csv", "name\nAnn\nBo\nCy\n")
        try writeFile(dir, "caught.lua", """
            local src = roster.read(arg[1])
            print(pcall(function()
              for row in src:map(function(row) if row.name == "Bo" then os.exit(0) end return row end):rows() do end
            end))
            """)
        let r = try RosterProcess.run(["run", "--json", "caught.lua", "in.csv"], in: dir)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("1 record(s) of in.csv were read but neither sent, skipped nor rejected"))
        #expect(r.stdout.hasPrefix("false\tcaught.lua:3: os.exit(0)\n"), "\(r.stdout)")
    }
}

/// A new user's path: `roster new plugin`, `roster test`, `roster check`, each telling the next step.
@Suite struct PluginWorkflowTests {
    @Test func aNewPluginsTestsPassAtOnceAndABrokenMappingFailsItsTest() async throws {
        let dir = try makeTemporaryDirectory()
        let created = try await RosterProcess.run(["new", "plugin", "acme"], in: dir)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("roster test acme"))
        for file in ["init.lua", "job.lua", "test/acme_test.lua", "test/data/sample.csv"] {
            #expect(FileManager.default.fileExists(atPath: "\(dir)/plugins/acme/\(file)"), "\(file)")
        }
        let tested = try await RosterProcess.run(["test", "acme"], in: dir)
        #expect(tested.status == 0, "\(tested.stdout)\(tested.stderr)")
        #expect(tested.stdout.contains("ok 1 - a US number becomes E.164"))
        #expect(tested.stdout.contains("1..5\n# 5 passed, 0 failed"))

        let checked = try await RosterProcess.run(["check", "plugins/acme/job.lua", "plugins/acme/test/data/sample.csv"], in: dir)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("to import: roster run plugins/acme/job.lua plugins/acme/test/data/sample.csv"))

        // The user misspells a column in the mapping: the plugin's own test says which.
        let initPath = "\(dir)/plugins/acme/init.lua"
        let text = try String(contentsOfFile: initPath, encoding: .utf8)
        try text.replacingOccurrences(of: "= \"Last Name\"", with: "= \"Surname\"").write(toFile: initPath, atomically: true, encoding: .utf8)
        let failing = try await RosterProcess.run(["test"], in: dir)
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("not ok 4 - the mapping names columns the sample file has"))
        #expect(failing.stdout.contains("last-name maps to a missing column: Surname"))

        let again = try await RosterProcess.run(["new", "plugin", "acme"], in: dir)
        #expect(again.status == 2 && again.stderr.contains("already exists"))
        let badName = try await RosterProcess.run(["new", "plugin", "Acme Bank"], in: dir)
        #expect(badName.status == 2)
        let missing = try await RosterProcess.run(["test", "nosuch"], in: dir)
        #expect(missing.status == 2 && missing.stderr.contains("plugin \"nosuch\" has no tests"))
    }

    @Test func aTestFileThatFailsToLoadIsAFailedCase() async throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "bad_test.lua", "local t = roster.test\nt.case('x', function() end)\nthis is not lua\n")
        let r = try await RosterProcess.run(["test", "bad_test.lua"], in: dir)
        #expect(r.status == 1)
        #expect(r.stdout.contains("not ok 1 - loading bad_test.lua"), "\(r.stdout)")
    }
}
