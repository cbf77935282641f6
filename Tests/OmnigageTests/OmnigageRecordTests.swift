import Foundation
import Testing
@testable import Omnigage
@testable import Transport

@Suite struct OmnigageRecordTests {
    @Test func luaFieldsTurnDashesIntoUnderscoresAndAddIdTypeStatus() throws {
        let record = try #require(OmnigageRecord(document: try JSONValue.parse(Array(importDocument(id: "I1", status: "completed", created: 3).utf8))))
        let fields = record.luaFields
        #expect(fields["count_created"] == .integer(3))
        #expect(fields["unique_primary_phone"] == .bool(true))
        #expect(fields["count-created"] == nil)
        #expect(fields["id"] == .string("I1"))
        #expect(fields["type"] == .string("import-contacts"))
        #expect(fields["status"] == .string("completed"))
        #expect(JSONValue.object(["a-b": .object(["c-d": .integer(1)])]).withLuaKeys() == .object(["a_b": .object(["c_d": .integer(1)])]))
    }

    @Test func mappingArrayFollowsTheHeaderWithNullForUnmappedColumns() throws {
        let mapping = try OmnigageClient.mappingArray(header: ["First Name", "Notes", "Email Address"],
                                                      mapping: ["email1-email-address": "Email Address", "first-name": "First Name"])
        #expect(mapping == ["first-name", nil, "email1-email-address"])
        #expect(throws: OmnigageError.self) {
            _ = try OmnigageClient.mappingArray(header: ["First Name"], mapping: ["last-name": "Surname"])
        }
    }

    @Test func configurationComesFromTheEnvironmentWithTheDefaultBase() throws {
        let config = try OmnigageConfiguration.fromEnvironment(["OMNIGAGE_KEY": "k", "OMNIGAGE_SECRET": "s3cret", "OMNIGAGE_ACCOUNT_KEY": "firstbank"])
        #expect(config.baseURL == "https://api.omnigage.io/api/v1")
        #expect(config.accountKey == "firstbank")
        #expect(!config.description.contains("s3cret"))
        let explicit = try OmnigageConfiguration.fromEnvironment(["OMNIGAGE_KEY": "k", "OMNIGAGE_SECRET": "s", "OMNIGAGE_BASE_URL": "http://127.0.0.1:9/api/v1"],
                                                                 accountKey: "acme")
        #expect(explicit.baseURL == "http://127.0.0.1:9/api/v1")
        #expect(explicit.accountKey == "acme")
        #expect(throws: OmnigageError.missingConfiguration(["OMNIGAGE_ACCOUNT_KEY", "OMNIGAGE_SECRET"])) {
            _ = try OmnigageConfiguration.fromEnvironment(["OMNIGAGE_KEY": "k"])
        }
    }

    @Test func uploadFormParsesRFC1123ExpiryAndOrderedFields() throws {
        let document = try JSONValue.parse(Array(uploadDocument(id: "U", s3URL: "https://b.s3.amazonaws.com/",
                                                                expiresAt: Date(timeIntervalSince1970: 1_582_925_244)).utf8))
        let form = try OmnigageClient.form(from: try #require(OmnigageRecord(document: document)))
        #expect(form.expiresAt == Date(timeIntervalSince1970: 1_582_925_244))
        #expect(form.fields.map(\.0) == ["acl", "AWSAccessKeyId", "key", "policy", "signature"])
        #expect(OmnigageClient.parseDate("2020-02-28T20:44:47.940610+00:00") != nil)
    }

    @Test func pendingStatesAreNotFinal() {
        for state in ["queued", "pending", "scheduled", "in-progress", "processing"] {
            #expect(!OmnigageImport(record: OmnigageRecord(type: "import-contacts", id: "x", attributes: ["status": .string(state)])).isFinal)
        }
        #expect(OmnigageImport(record: OmnigageRecord(type: "import-contacts", id: "x", attributes: ["status": .string("canceled")])).isFinal)
    }
}

@Suite struct OmnigageEndpointTests {
    @Test func plainHttpBaseURLOutsideLoopbackIsRefusedBeforeConnecting() async throws {
        let transport = makeTransport()
        let client = OmnigageClient(configuration: OmnigageConfiguration(accountKey: "a", key: "k", secret: "SECRET", baseURL: "http://example.com/api/v1"),
                                    transport: transport)
        await #expect(throws: TransportError.insecureURL("http://example.com/api/v1/uploads")) {
            _ = try await client.createUpload(name: "c.csv", type: "text/csv", size: 1)
        }
        try await transport.shutdown()
    }

    @Test func anS3FormPointingAtPlainHttpElsewhereIsRefused() async throws {
        let transport = makeTransport()
        let form = S3PostForm(url: "http://bucket.example.com/", fields: [("key", "k")])
        let upload = OmnigageUpload(id: "U", name: "c.csv", type: "text/csv", size: 1, form: form,
                                    record: OmnigageRecord(type: "uploads", id: "U"))
        let client = OmnigageClient(configuration: OmnigageConfiguration(accountKey: "a", key: "k", secret: "s", baseURL: "http://127.0.0.1:1/api/v1"),
                                    transport: transport)
        let path = try temporaryFile("x")
        defer { removeTemporaryFile(path) }
        await #expect(throws: TransportError.insecureURL("http://bucket.example.com/")) {
            _ = try await client.upload(upload, path: path)
        }
        try await transport.shutdown()
    }
}
