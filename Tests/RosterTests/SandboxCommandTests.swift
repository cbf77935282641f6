import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The repository root (where examples/ and plugins/ live).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

/// A fresh folder holding a copy of the repository's examples/ and plugins/: runs there keep their
/// journal and sandbox state (.roster/) to themselves.
func projectCopy() throws -> String {
    let dir = try makeTemporaryDirectory()
    for folder in ["examples", "plugins"] {
        try FileManager.default.copyItem(atPath: repositoryRoot + "/" + folder, toPath: dir + "/" + folder)
    }
    return dir
}

/// No vendor credentials at all: what a newcomer's machine looks like.
let noCredentials = ["OMNIGAGE_KEY": "", "OMNIGAGE_SECRET": "", "OMNIGAGE_ACCOUNT_KEY": "", "OMNIGAGE_BASE_URL": "",
                     "WHISPIR_API_KEY": "", "WHISPIR_USERNAME": "", "WHISPIR_PASSWORD": "", "WHISPIR_BASE_URL": "", "WHISPIR_REGION": ""]

@Suite(.serialized) struct SandboxCommandTests {
    @Test func runWithoutCredentialsUsesTheSandboxAndTheOmnigageExampleSucceeds() throws {
        let r = try RosterProcess.run(["run", "examples/omnigage_import.lua", "examples/data/contacts.csv"],
                                      in: try projectCopy(), environment: noCredentials)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("no credentials set: using the built-in sandbox at http://127.0.0.1:"))
        #expect(r.stdout.contains(": completed (created 4, updated 0, erred 0)\n"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("rows: read 4, sent 4, skipped 0, rejected 0\n"))
    }

    @Test func theWhispirExampleSucceedsAgainstTheSandbox() throws {
        let r = try RosterProcess.run(["run", "--sandbox", "examples/whispir_import.lua", "examples/data/contacts.csv"],
                                      in: try projectCopy(), environment: noCredentials)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("whispir import: 4 rows in 1 part(s)\n"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("rows: read 4, sent 4, skipped 0, rejected 0\n"))
    }

    @Test func scriptsThatSendNothingStartNoSandbox() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "x.lua", "print(roster.version)")
        let r = try RosterProcess.run(["run", "x.lua"], in: dir, environment: noCredentials)
        #expect(r.status == 0)
        #expect(r.stderr == "")
    }

    @Test func unreachableVendorExits5() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "x.lua", "roster.omnigage{}:create_upload { name = 'a.csv', size = 1 }")
        // Credentials set: no sandbox; a loopback port where nothing listens gives a transport failure.
        let unreachable = try RosterProcess.run(["run", "x.lua"], in: dir, environment: noCredentials.merging([
            "OMNIGAGE_KEY": "k", "OMNIGAGE_SECRET": "s", "OMNIGAGE_ACCOUNT_KEY": "a", "OMNIGAGE_BASE_URL": "http://127.0.0.1:9/api/v1",
        ]) { $1 })
        #expect(unreachable.status == 5, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("could not connect for POST http://127.0.0.1:9/api/v1/uploads"))
        #expect(!unreachable.stderr.contains("no credentials set"))
    }

    @Test func vendorRefusalExits4WithTheVendorsDetail() throws {
        let sandbox = try SandboxProcess()
        let port = sandbox.port
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "x.lua", "roster.omnigage{}:create_upload { name = 'a.csv', size = 1 }")
        let r = try RosterProcess.run(["run", "x.lua"], in: dir, environment: noCredentials.merging([
            "OMNIGAGE_KEY": "sandbox-key", "OMNIGAGE_SECRET": "not-the-secret", "OMNIGAGE_ACCOUNT_KEY": "sandbox",
            "OMNIGAGE_BASE_URL": "http://127.0.0.1:\(port)/omnigage/api/v1",
        ]) { $1 })
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("roster: x.lua:1: Omnigage refused POST /uploads (HTTP 401): Invalid API token"))
        #expect(!r.stderr.contains("not-the-secret"))
    }

    @Test func sandboxCommandPrintsItsURLServesAndStopsOnSIGINT() async throws {
        let process = Process()
        process.executableURL = RosterProcess.executable
        process.arguments = ["sandbox", "--port", "0"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var printed = ""
        let deadline = Date().addingTimeInterval(20)
        while !printed.contains("Faults"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        let root = try #require(printed.firstMatch(of: /Roster sandbox on 127\.0\.0\.1:(\d+)/)).1
        #expect(printed.contains("key sandbox-key  secret sandbox-secret  account sandbox"))
        let url = try #require(URL(string: "http://127.0.0.1:\(root)/whispir/workspaces"))
        let (_, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 403)  // no API key sent: the sandbox answers as Whispir would
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("sandbox stopped"))
    }
}
