import Foundation
import Testing

@testable import Sandbox

@Suite struct SandboxStatsTests {
    /// `GET /_sandbox/stats`, required to answer 200 with a JSON object.
    static func stats(_ sandbox: RunningSandbox) async throws -> JSONValue {
        let reply = try await send(.GET, sandbox.statsURL)
        try #require(reply.status == 200, "\(reply.text)")
        #expect(reply.header("Content-Type") == "application/json")
        return try #require(reply.json)
    }

    /// The endpoint's document for the given counts, member for member.
    static func document(requests: Int, omnigage: (Int, Int, Int) = (0, 0, 0), s3: (Int, Int, Int) = (0, 0, 0),
                         whispir: (Int, Int, Int) = (0, 0, 0), rows: (imported: Int, contacts: Int) = (0, 0), faults: Int = 0) -> JSONValue {
        .object([
            ("requests", .int(requests)),
            ("faults_injected", .int(faults)),
            ("omnigage", .object([("requests", .int(omnigage.0)), ("uploads_created", .int(omnigage.1)), ("imports_created", .int(omnigage.2)),
                                  ("rows_imported", .int(rows.imported)), ("contacts", .int(rows.contacts))])),
            ("s3", .object([("requests", .int(s3.0)), ("posts", .int(s3.1)), ("objects_stored", .int(s3.2))])),
            ("whispir", .object([("requests", .int(whispir.0)), ("resources_created", .int(whispir.1)), ("imports_created", .int(whispir.2))])),
        ])
    }

    @Test func statsURLSitsNextToFaultsURLAndStartsAtZero() async throws {
        try await withSandbox { sandbox in
            #expect(sandbox.statsURL == "http://127.0.0.1:\(sandbox.port)/_sandbox/stats")
            #expect(sandbox.summary.contains(sandbox.statsURL))
            let initial = try await Self.stats(sandbox)
            #expect(initial == Self.document(requests: 0))
            #expect(await sandbox.stats() == SandboxStats())
            let root = try await send(.GET, sandbox.rootURL + "/")
            #expect(root.status == 404 && root.text.contains("/_sandbox/stats"))
        }
    }

    @Test func uploadS3PostAndImportAreCountedOnceEach() async throws {
        try await withSandbox { sandbox in
            let created = try await OmnigageAPITests.startImport(sandbox)
            #expect(created.status == 201, "\(created.text)")
            let json = try await Self.stats(sandbox)
            #expect(json == Self.document(requests: 3, omnigage: (2, 1, 1), s3: (1, 1, 1)))
            #expect(json["omnigage"]?["uploads_created"]?.intValue == 1)
            #expect(json["s3"]?["posts"]?.intValue == 1)
            #expect(json["omnigage"]?["imports_created"]?.intValue == 1)
            let stats = await sandbox.stats()
            #expect(stats.requests == stats.omnigage.requests + stats.s3.requests + stats.whispir.requests)
            #expect(stats == SandboxStats(requests: 3, omnigage: .init(requests: 2, uploadsCreated: 1, importsCreated: 1),
                                          s3: .init(requests: 1, posts: 1, objectsStored: 1)))
            // Polling and reading are requests, not creations.
            let id = try #require(created.json?["data"]?["id"]?.stringValue)
            _ = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 4, omnigage: (3, 1, 1), s3: (1, 1, 1)))
        }
    }

    @Test func whispirResourceAndImportAreCounted() async throws {
        try await withSandbox { sandbox in
            let resource = try await WhispirAPITests.createResource(sandbox)
            #expect(resource.status == 201, "\(resource.text)")
            let resourceID = try #require(resource.json?["id"]?.stringValue)
            #expect(try await WhispirAPITests.postImport(sandbox, resourceID: resourceID, mode: "replace", topLevel: false).status == 202)
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/contacts", headers: WhispirAPITests.auth).status == 200)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 3, whispir: (3, 1, 1)))
            // Deleting the resource does not undo its creation.
            #expect(try await send(.DELETE, sandbox.whispirBaseURL + "/resources/\(resourceID)", headers: WhispirAPITests.auth).status == 204)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 4, whispir: (4, 1, 1)))
        }
    }

    @Test func adminRequestsAreNotCounted() async throws {
        try await withSandbox { sandbox in
            let rule = #"{"path": "/whispir/resources", "kind": "500", "count": 1}"#
            #expect(try await send(.POST, sandbox.faultsURL, body: Array(rule.utf8)).status == 204)
            #expect(try await send(.GET, sandbox.faultsURL).status == 200)
            #expect(try await send(.DELETE, sandbox.faultsURL).status == 204)
            #expect(try await send(.GET, sandbox.rootURL + "/_sandbox/nothing").status == 404)
            #expect(try await send(.POST, sandbox.statsURL).status == 405)
            _ = try await Self.stats(sandbox)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 0))
            // A path no vendor serves is still a request to the sandbox, under no vendor.
            #expect(try await send(.GET, sandbox.rootURL + "/favicon.ico").status == 404)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 1))
        }
    }

    @Test func refusedRequestsAreCountedButCreateNothing() async throws {
        try await withSandbox { sandbox in
            let body = Array(#"{"name": "a.csv", "type": "text/csv", "size": 1}"#.utf8)
            let badToken = try await send(.POST, sandbox.omnigageBaseURL + "/uploads",
                                          headers: [("Authorization", basic("sandbox-key", "nope")), ("X-Account-Key", "sandbox")], body: body)
            #expect(badToken.status == 401)
            let badKey = try await send(.GET, sandbox.whispirBaseURL + "/resources",
                                        headers: [WhispirAPITests.auth[0], ("x-api-key", "not-the-key")])
            #expect(badKey.status == 403)
            let wrongPassword = try await send(.POST, sandbox.whispirBaseURL + "/resources",
                                               headers: [("Authorization", basic(SandboxCredentials.whispirUsername, "nope")),
                                                         ("x-api-key", SandboxCredentials.whispirAPIKey),
                                                         ("Content-Type", "application/vnd.whispir.resource-v1+json")],
                                               body: Array(#"{"name": "a.csv"}"#.utf8))
            #expect(wrongPassword.status == 401)
            var form = try await createUpload(sandbox)
            form.fields = form.fields.map { $0.0 == "signature" ? ($0.0, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=") : $0 }
            let forged = try await postToS3(form, filename: "a.csv", content: Array("x\n1\n".utf8))
            #expect(forged.s3Code == "SignatureDoesNotMatch")
            #expect(try await Self.stats(sandbox) == Self.document(requests: 5, omnigage: (2, 1, 0), s3: (1, 0, 0), whispir: (2, 0, 0)))
        }
    }

    @Test func faultedRequestsAreCountedButCreateNothing() async throws {
        try await withSandbox { sandbox in
            await sandbox.injectFault(FaultRule(method: "POST", pathPrefix: "/omnigage/api/v1/uploads", kind: .status(429, retryAfter: "1")))
            await sandbox.injectFault(FaultRule(pathPrefix: "/s3", kind: .status(503, retryAfter: "1")))
            let body = Array(#"{"name": "a.csv", "type": "text/csv", "size": 1}"#.utf8)
            #expect(try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders, body: body).status == 429)
            let form = try await createUpload(sandbox)
            #expect(try await postToS3(form, filename: "a.csv", content: Array("x\n1\n".utf8)).status == 503)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 3, omnigage: (2, 1, 0), s3: (1, 0, 0), faults: 2))
            #expect(await sandbox.injectedFaultCount() == 2)
        }
    }

    @Test func deleteZeroesTheCountersButKeepsTheData() async throws {
        try await withSandbox { sandbox in
            let first = try await OmnigageAPITests.startImport(sandbox)
            #expect(first.status == 201)
            #expect(try await send(.DELETE, sandbox.statsURL).status == 204)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 0, s3: (0, 0, 1)))
            #expect(await sandbox.omnigageImports().count == 1)
            #expect(await sandbox.s3Objects().count == 1)
            // A resumed job: one more upload, its object, one more import.
            #expect(try await OmnigageAPITests.startImport(sandbox).status == 201)
            #expect(try await Self.stats(sandbox) == Self.document(requests: 3, omnigage: (2, 1, 1), s3: (1, 1, 2)))
            await sandbox.resetStats()
            #expect(await sandbox.stats() == SandboxStats(s3: .init(objectsStored: 2)))
        }
    }

    @Test func stateRestoredFromADataFolderIsNotCountedAsCreated() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = SandboxConfiguration(dataDirectory: folder.path)
        try await withSandbox(configuration) { sandbox in
            let created = try await OmnigageAPITests.startImport(sandbox)
            #expect(created.status == 201)
            #expect(try await WhispirAPITests.createResource(sandbox).status == 201)
        }
        try await withSandbox(configuration) { sandbox in
            let restored = try await Self.stats(sandbox)
            #expect(restored == Self.document(requests: 0, s3: (0, 0, 1)))
            #expect(await sandbox.omnigageImports().count == 1)
            #expect(await sandbox.whispirResources().count == 1)
        }
    }
}
