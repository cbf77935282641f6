import Foundation
import Testing
@testable import Omnigage
@testable import Transport

@Suite struct OmnigageClientTests {
    static let csv = "First Name,Phone Number\r\nAda,+15550100123\r\n"

    func client(_ server: TestServer, transport: HTTPTransport) -> OmnigageClient {
        OmnigageClient(configuration: OmnigageConfiguration(accountKey: "firstbank", key: "TOKENKEY", secret: "TOKENSECRET",
                                                            baseURL: server.baseURL + "/api/v1/"),
                       transport: transport)
    }

    @Test func runsUploadS3AndImportStagesAndKeepsCredentialsAwayFromS3() async throws {
        let script = Script()
        let server = try await TestServer.start { request in
            switch (request.method, request.path) {
            case ("POST", "/api/v1/uploads"):
                return StubResponse(status: 201, json: uploadDocument(id: "Up1", s3URL: request.origin + "/s3/",
                                                                      expiresAt: Date().addingTimeInterval(3600)))
            case ("POST", "/s3/"):
                return StubResponse(status: 204, headers: [("ETag", "\"e1\""), ("Location", "http://s3/uploads%2FUp1%2Fleads.csv")])
            case ("POST", "/api/v1/import-contacts"):
                return StubResponse(status: 201, json: importDocument(id: "Imp1", status: "queued"))
            case ("GET", "/api/v1/import-contacts/Imp1"):
                let states = ["queued", "in-progress", "processing", "completed"]
                let hit = min(script.hit("poll"), states.count) - 1
                return StubResponse(status: 200, json: importDocument(id: "Imp1", status: states[hit], created: hit == 3 ? 1 : 0))
            default:
                return StubResponse(status: 404, json: #"{"errors":[{"detail":"no route","code":404}]}"#)
            }
        }
        let transport = makeTransport()
        let og = client(server, transport: transport)
        let path = try temporaryFile(Self.csv, name: "local-name.csv")
        defer { removeTemporaryFile(path) }

        let upload = try await og.createUpload(name: "leads.csv", type: "text/csv", size: Int64(Self.csv.utf8.count))
        #expect(upload.id == "Up1")
        #expect(upload.form.fields.map(\.0) == ["acl", "AWSAccessKeyId", "key", "policy", "signature"])
        #expect(upload.form.headers.first?.0 == "x-amz-server-side-encryption")
        #expect(upload.form.maxLength == 5_368_724_480)

        let receipt = try await og.upload(upload, path: path)
        #expect(receipt.uploadID == "Up1")
        #expect(receipt.key == "uploads/Up1/leads.csv")
        #expect(receipt.replacedUploadIDs.isEmpty)

        let header = ["First Name", "Phone Number"]
        let mapping = try OmnigageClient.mappingArray(header: header, mapping: ["first-name": "First Name", "phone1-phone-number": "Phone Number"])
        let created = try await og.createImport(OmnigageImportOptions(
            uploadID: receipt.uploadID, uniquePrimaryPhone: true, uniquePrimaryEmail: false, updatePruning: false,
            enablePreflights: false, mapping: mapping, listID: "List9"))
        #expect(created.id == "Imp1")
        #expect(created.status == "queued")
        #expect(!created.isFinal)

        let polled = Counter()
        let done = try await og.wait("Imp1", timeout: .seconds(20), interval: .milliseconds(20)) { _ in _ = polled.next() }
        #expect(done.isCompleted)
        #expect(done.count("created") == 1)
        #expect(polled.current == 4)

        let requests = server.requests
        let createUpload = try #require(requests.first { $0.path == "/api/v1/uploads" })
        #expect(try JSONValue.parse(createUpload.body) == .object(["name": .string("leads.csv"), "type": .string("text/csv"), "size": .integer(Int64(Self.csv.utf8.count))]))
        #expect(createUpload.header("Authorization") == "Basic " + Data("TOKENKEY:TOKENSECRET".utf8).base64EncodedString())
        #expect(createUpload.header("X-Account-Key") == "firstbank")
        #expect(createUpload.header("Content-Type") == "application/json; charset=utf-8")

        let s3 = try #require(requests.first { $0.path == "/s3/" })
        for name in ["Authorization", "X-Account-Key", "x-api-key"] {
            #expect(s3.header(name) == nil)
        }
        #expect(!s3.text.contains("TOKENSECRET"))
        #expect(!s3.text.contains("firstbank"))
        #expect(s3.header("x-amz-server-side-encryption") == "AES256")
        #expect(s3.text.contains("filename=\"leads.csv\""))
        #expect(s3.text.hasSuffix(Self.csv + "\r\n" + "--" + (s3.header("Content-Type")?.components(separatedBy: "boundary=").last ?? "") + "--\r\n"))

        let importBody = try JSONValue.parse(try #require(requests.first { $0.path == "/api/v1/import-contacts" }).body)
        #expect(importBody["data"]?["type"] == .string("import-contacts"))
        #expect(importBody["data"]?["attributes"] == .object([
            "status": .string("queued"), "unique-primary-phone": .bool(true), "unique-primary-email": .bool(false),
            "update-pruning": .bool(false), "enable-preflights": .bool(false),
            "mapping": .array([.string("first-name"), .string("phone1-phone-number")]),
        ]))
        #expect(importBody["data"]?["relationships"]?["upload"]?["data"] == .object(["type": .string("uploads"), "id": .string("Up1")]))
        #expect(importBody["data"]?["relationships"]?["list"]?["data"] == .object(["type": .string("lists"), "id": .string("List9")]))
        try await transport.shutdown()
        await server.stop()
    }

    @Test func anExpiredFormTriggersAFreshUploadOnce() async throws {
        let script = Script()
        let server = try await TestServer.start { request in
            switch (request.method, request.path) {
            case ("POST", "/api/v1/uploads"):
                let hit = script.hit("uploads")
                let expiry = hit == 1 ? Date().addingTimeInterval(-60) : Date().addingTimeInterval(3600)
                return StubResponse(status: 201, json: uploadDocument(id: "Up\(hit)", s3URL: request.origin + "/s3/", expiresAt: expiry))
            case ("POST", "/s3/"):
                return StubResponse(status: 204)
            default:
                return StubResponse(status: 404)
            }
        }
        let transport = makeTransport()
        let og = client(server, transport: transport)
        let path = try temporaryFile(Self.csv)
        defer { removeTemporaryFile(path) }
        let first = try await og.createUpload(name: "c.csv", type: "text/csv", size: 45)
        let receipt = try await og.upload(first, path: path)
        #expect(receipt.uploadID == "Up2")
        #expect(receipt.replacedUploadIDs == ["Up1"])
        #expect(receipt.key == "uploads/Up2/c.csv")
        #expect(server.requests.filter { $0.path == "/api/v1/uploads" }.count == 2)
        #expect(server.requests.filter { $0.path == "/s3/" }.count == 1)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func s3PolicyExpiredAnswerAlsoTriggersAFreshUpload() async throws {
        let script = Script()
        let server = try await TestServer.start { request in
            switch (request.method, request.path) {
            case ("POST", "/api/v1/uploads"):
                let hit = script.hit("uploads")
                return StubResponse(status: 201, json: uploadDocument(id: "Up\(hit)", s3URL: request.origin + "/s3/",
                                                                      expiresAt: Date().addingTimeInterval(3600)))
            case ("POST", "/s3/"):
                if script.hit("s3") == 1 {
                    return StubResponse(status: 403, body: Array("<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>".utf8))
                }
                return StubResponse(status: 204)
            default:
                return StubResponse(status: 404)
            }
        }
        let transport = makeTransport()
        let og = client(server, transport: transport)
        let path = try temporaryFile(Self.csv)
        defer { removeTemporaryFile(path) }
        let receipt = try await og.upload(try await og.createUpload(name: "c.csv", type: "text/csv", size: 45), path: path)
        #expect(receipt.uploadID == "Up2")
        #expect(server.requests.filter { $0.path == "/s3/" }.count == 2)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func vendor400SurfacesEveryDetailCodeAndStatus() async throws {
        let server = try await TestServer.start { _ in
            StubResponse(status: 400, json: #"{"errors":[{"detail":"Upload \"Up1\" has no uploaded file.","code":100},{"detail":"List not found","code":"404"}]}"#)
        }
        let transport = makeTransport()
        let og = client(server, transport: transport)
        do {
            _ = try await og.createImport(OmnigageImportOptions(uploadID: "Up1"))
            Issue.record("expected an error")
        } catch let error as OmnigageError {
            #expect(error == .api(method: "POST", path: "/import-contacts", status: 400,
                                  details: [.init(detail: "Upload \"Up1\" has no uploaded file.", code: "100"),
                                            .init(detail: "List not found", code: "404")],
                                  body: #"{"errors":[{"detail":"Upload \"Up1\" has no uploaded file.","code":100},{"detail":"List not found","code":"404"}]}"#))
            #expect(error.status == 400)
            #expect(error.description == "Omnigage refused POST /import-contacts (HTTP 400): Upload \"Up1\" has no uploaded file. (code 100); List not found (code 404)")
            #expect(!error.description.contains("TOKENSECRET"))
        }
        #expect(server.requests.count == 1)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func waitStopsAtAnyOtherFinalStateAndTimesOut() async throws {
        let server = try await TestServer.start { request in
            request.path.hasSuffix("/F1") ? StubResponse(status: 200, json: importDocument(id: "F1", status: "failed"))
                                          : StubResponse(status: 200, json: importDocument(id: "Q1", status: "queued"))
        }
        let transport = makeTransport()
        let og = client(server, transport: transport)
        let failed = try await og.wait("F1", timeout: .seconds(5), interval: .milliseconds(10))
        #expect(failed.status == "failed")
        #expect(failed.isFinal && !failed.isCompleted)
        await #expect(throws: OmnigageError.waitTimedOut(importID: "Q1", lastStatus: "queued", seconds: 0)) {
            _ = try await og.wait("Q1", timeout: .milliseconds(300), interval: .milliseconds(50))
        }
        try await transport.shutdown()
        await server.stop()
    }

    @Test func resultsAreFetchedFromTheImportsResultsPath() async throws {
        let server = try await TestServer.start { request in
            StubResponse(status: 200, json: #"{"data":[{"type":"import-contact-results","id":"r1","attributes":{"row":1,"status":"created"}}]}"#)
        }
        let transport = makeTransport()
        let results = try await client(server, transport: transport).results("Imp 1")
        #expect(results["data"]?.arrayValue?.count == 1)
        #expect(server.requests.first?.path == "/api/v1/import-contacts/Imp%201/results")
        try await transport.shutdown()
        await server.stop()
    }
}

final class Counter: @unchecked Sendable {  // unchecked: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
    var current: Int { lock.withLock { value } }
}
