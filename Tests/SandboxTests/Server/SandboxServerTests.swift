import Foundation
import Testing

@testable import Sandbox

@Suite struct SandboxServerTests {
    @Test func startsOnAFreeLoopbackPortAndStopsCleanly() async throws {
        let sandbox = try await SandboxServer().start()
        #expect(sandbox.port > 0)
        #expect(sandbox.omnigageBaseURL == "http://127.0.0.1:\(sandbox.port)/omnigage/api/v1")
        #expect(sandbox.whispirBaseURL == "http://127.0.0.1:\(sandbox.port)/whispir")
        #expect(sandbox.s3URL == "http://127.0.0.1:\(sandbox.port)/s3/roster-sandbox/")
        #expect(try await send(.GET, sandbox.rootURL + "/").status == 404)
        await sandbox.stop()
        // AsyncHTTPClient retries a refused connection until the deadline, so keep it short.
        await #expect(throws: (any Error).self) { _ = try await send(.GET, sandbox.rootURL + "/", timeout: .seconds(2)) }
    }

    @Test func twoSandboxesRunSideBySide() async throws {
        try await withSandbox { first in
            try await withSandbox { second in
                #expect(first.port != second.port)
            }
        }
    }

    @Test func runServesUntilCancelled() async throws {
        let ready = AsyncStream<String>.makeStream()
        let task = Task {
            try await SandboxServer().run { running in ready.continuation.yield(running.rootURL) }
        }
        var iterator = ready.stream.makeAsyncIterator()
        let root = try #require(await iterator.next())
        #expect(try await send(.GET, root + "/").status == 404)
        task.cancel()
        try await task.value
        await #expect(throws: (any Error).self) { _ = try await send(.GET, root + "/", timeout: .seconds(2)) }
    }

    @Test func keepsObjectsInTheGivenDataDirectory() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withSandbox(SandboxConfiguration(dataDirectory: folder.path)) { sandbox in
            let form = try await createUpload(sandbox)
            #expect(try await postToS3(form, filename: "a.csv", content: Array("x\n1\n".utf8)).status == 204)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.contains { $0.hasSuffix("-a.csv") })
        #expect(files.contains("sandbox.json"))
    }

    @Test func aDataDirectoryCarriesStateIntoTheNextRun() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = SandboxConfiguration(dataDirectory: folder.path)
        let importID = try await withSandbox(configuration) { sandbox in
            let created = try await OmnigageAPITests.startImport(sandbox)
            let id = try #require(created.json?["data"]?["id"]?.stringValue)
            _ = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
            _ = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
            let resource = try await WhispirAPITests.createResource(sandbox)
            let resourceID = try #require(resource.json?["id"]?.stringValue)
            #expect(try await WhispirAPITests.postImport(sandbox, resourceID: resourceID, mode: "replace", topLevel: false).status == 202)
            return id
        }
        try await withSandbox(configuration) { sandbox in
            let again = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(importID)", headers: omnigageHeaders)
            #expect(again.json?["data"]?["attributes"]?["count-created"]?.intValue == 2)
            #expect(await sandbox.omnigageContacts().count == 2)
            #expect(await sandbox.s3Objects().count == 1)
            #expect(await sandbox.whispirContacts().count == 2)
            #expect(await sandbox.whispirResources().count == 1)
        }
    }

    @Test func aFixedPortInUseIsReported() async throws {
        try await withSandbox { first in
            await #expect(throws: SandboxError.self) { _ = try await SandboxServer(configuration: SandboxConfiguration(port: first.port)).start() }
        }
    }

    @Test func injectedFaultsAnswerTheNextRequestsThenClear() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults = [FaultRule(method: "POST", pathPrefix: "/omnigage/api/v1/uploads", kind: .status(429, retryAfter: "2"), count: 2)]
        try await withSandbox(configuration) { sandbox in
            let body = Array(#"{"name": "a.csv", "type": "text/csv", "size": 1}"#.utf8)
            let first = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders, body: body)
            #expect(first.status == 429 && first.header("Retry-After") == "2")
            #expect(first.json?["errors"] != nil)
            #expect(try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders, body: body).status == 429)
            #expect(try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders, body: body).status == 201)
            #expect(await sandbox.injectedFaultCount() == 2)
        }
    }

    @Test func adminEndpointArmsServerErrorsAndDelays() async throws {
        try await withSandbox { sandbox in
            let rule = #"{"path": "/whispir/resources", "kind": "500", "count": 1}"#
            #expect(try await send(.POST, sandbox.faultsURL, body: Array(rule.utf8)).status == 204)
            let failed = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: WhispirAPITests.auth)
            #expect(failed.status == 500 && failed.json?["errorSummary"] != nil)
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: WhispirAPITests.auth).status == 200)

            await sandbox.injectFault(FaultRule(pathPrefix: "/whispir", kind: .delay(milliseconds: 300)))
            let start = ContinuousClock.now
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: WhispirAPITests.auth).status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(300))

            await sandbox.injectFault(FaultRule(pathPrefix: "/s3", kind: .status(503, retryAfter: "1"), count: 5))
            #expect(try await send(.DELETE, sandbox.faultsURL).status == 204)
            let form = try await createUpload(sandbox)
            #expect(try await postToS3(form, filename: "a.csv", content: [65]).status == 204)
        }
    }

    @Test func aDroppedResponseClosesTheConnectionOnce() async throws {
        try await withSandbox { sandbox in
            await sandbox.injectFault(FaultRule(pathPrefix: "/whispir/resources", kind: .drop))
            let dropped: HTTPReply?
            do {
                dropped = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: WhispirAPITests.auth, timeout: .seconds(5))
            } catch {
                dropped = nil
            }
            #expect(dropped == nil)
            let next = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: WhispirAPITests.auth)
            #expect(next.status == 200)
        }
    }

    @Test func aDataDirectoryIsSavedSoonAfterAChangeWithoutAStop() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withSandbox(SandboxConfiguration(dataDirectory: folder.path)) { sandbox in
            let form = try await createUpload(sandbox)
            try await Task.sleep(for: .milliseconds(800))
            let saved = try #require(try SandboxSnapshot.read(from: folder))
            #expect(saved.omnigage.uploads.map(\.id) == [form.id])
        }
    }
}
