import Foundation
import Testing

@testable import Sandbox

@Suite struct OmnigageAPITests {
    @Test func uploadRecordCarriesAFormSignedWithTheSandboxSecret() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox, name: "import-5.xlsx",
                                              type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", size: 37482)
            #expect(form.fields.map(\.0) == ["acl", "AWSAccessKeyId", "key", "policy", "signature"])
            #expect(form.requestURL == sandbox.s3URL)
            let policy = try #require(form.value("policy"))
            #expect(form.value("signature") == SignatureV2.sign(policy: policy, secret: SandboxCredentials.s3SecretAccessKey))
            #expect(form.value("AWSAccessKeyId") == SandboxCredentials.s3AccessKeyID)
            let key = try #require(form.value("key"))
            #expect(key.hasPrefix("uploads/") && key.hasSuffix("/${filename}") && key.count == "uploads/".count + 32 + "/${filename}".count)
            let decoded = try PostPolicy.parse(base64: policy)
            let attributes = try #require(form.document["data"]?["attributes"])
            #expect(attributes["max-length-in-bytes"]?.intValue == 5_368_724_480)
            #expect(attributes["request-method"]?.stringValue == "post")
            #expect(attributes["request-headers"] == .array([.object([("x-amz-server-side-encryption", .string("AES256"))])]))
            #expect(attributes["expires-at"]?.stringValue == Timestamps.rfc1123(decoded.expiration))
            #expect(decoded.lengthRange == 0...5_368_724_480)
            #expect(form.document["data"]?["type"]?.stringValue == "uploads")
            #expect(form.id.count == 22)
        }
    }

    @Test func acceptsTheSDKsSingleQuotedBody() async throws {
        try await withSandbox { sandbox in
            let reply = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders,
                                       body: Array("{'name': 'a.csv', 'type': 'text/csv', 'size': 12}".utf8))
            #expect(reply.status == 201)
        }
    }

    @Test func wrongCredentialsGet401InTheVendorsShape() async throws {
        try await withSandbox { sandbox in
            let body = Array(#"{"name": "a.csv", "type": "text/csv", "size": 1}"#.utf8)
            let wrong = try await send(.POST, sandbox.omnigageBaseURL + "/uploads",
                                       headers: [("Authorization", basic("sandbox-key", "nope")), ("X-Account-Key", "sandbox")], body: body)
            #expect(wrong.status == 401)
            let detail = try #require(wrong.json?["errors"]?.arrayValue?.first)
            #expect(detail["detail"]?.stringValue?.isEmpty == false)
            #expect(detail["code"]?.intValue != nil)
            let noAccount = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: [omnigageHeaders[0]], body: body)
            #expect(noAccount.status == 401)
            #expect(noAccount.json?["errors"]?.arrayValue?.first?["detail"]?.stringValue == "Missing X-Account-Key header.")
        }
    }

    @Test func validatesTheUploadBody() async throws {
        try await withSandbox { sandbox in
            let reply = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders,
                                       body: Array(#"{"name": "a.pdf", "type": "application/pdf", "size": 1}"#.utf8))
            #expect(reply.status == 400)
            #expect(reply.json?["errors"]?.arrayValue?.first?["code"]?.intValue == 100)
            let tooBig = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders,
                                        body: Array(#"{"name": "a.csv", "type": "text/csv", "size": 5368724481}"#.utf8))
            #expect(tooBig.status == 400)
            #expect(tooBig.json?["errors"]?.arrayValue?.first?["detail"]?.stringValue == "\"size\" 5368724481 exceeds the maximum of 5368724480 bytes.")
            let noSize = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders,
                                        body: Array(#"{"name": "a.csv", "type": "text/csv"}"#.utf8))
            #expect(noSize.status == 400)
        }
    }

    @Test func lenientModeAcceptsAMissingAccountKey() async throws {
        var configuration = SandboxConfiguration()
        configuration.omnigageRequireAccountKey = false
        try await withSandbox(configuration) { sandbox in
            let reply = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: [omnigageHeaders[0]],
                                       body: Array(#"{"name": "a.csv", "type": "text/csv", "size": 1}"#.utf8))
            #expect(reply.status == 201)
            let wrongKey = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: [omnigageHeaders[0], ("X-Account-Key", "firstbank")],
                                          body: Array(#"{"name": "a.csv", "type": "text/csv", "size": 1}"#.utf8))
            #expect(wrongKey.status == 401)
        }
    }

    @Test func importOfAnUploadWithoutAFileIsRefused() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox)
            let reply = try await send(.POST, sandbox.omnigageBaseURL + "/import-contacts", headers: omnigageHeaders,
                                       body: Self.importBody(uploadID: form.id))
            #expect(reply.status == 400)
            #expect(reply.json?["errors"]?.arrayValue?.first?["detail"]?.stringValue?.contains("has no uploaded file") == true)
            let unknown = try await send(.POST, sandbox.omnigageBaseURL + "/import-contacts", headers: omnigageHeaders,
                                         body: Self.importBody(uploadID: "NoSuchUpload"))
            #expect(unknown.status == 400)
        }
    }

    static func importBody(uploadID: String, uniquePhone: Bool = true, extra: [(String, JSONValue)] = []) -> [UInt8] {
        let defaults: [(String, JSONValue)] = [("status", .string("queued")), ("unique-primary-phone", .bool(uniquePhone))]
        let attributes = defaults.filter { item in !extra.contains { $0.0 == item.0 } } + extra
        let document = JSONValue.object([("data", .object([
            ("type", .string("import-contacts")),
            ("attributes", .object(attributes)),
            ("relationships", .object([("upload", .object([("data", .object([("type", .string("uploads")), ("id", .string(uploadID))]))]))])),
        ]))])
        return Array(document.serialized().utf8)
    }

    static let contactsCSV = """
        First Name,Last Name,Company,Phone Number,Email Address
        Sampson,Victor,Omnigage,14076341732,sampson.victor@mailinator.com
        Ada,Quill,Northwind,+1 (555) 010-0123,ada.quill@example.com
        Sam,Victor,Omnigage,1-407-634-1732,sam.v@example.com
        Bad,Phone,Acme,12345,bad@example.com

        """

    /// Upload + S3 POST + import create; returns the created import document.
    static func startImport(_ sandbox: RunningSandbox, csv: String = contactsCSV, extra: [(String, JSONValue)] = []) async throws -> HTTPReply {
        let bytes = Array(csv.utf8)
        let form = try await createUpload(sandbox, size: bytes.count)
        let s3 = try await postToS3(form, filename: "contacts.csv", content: bytes)
        try #require(s3.status == 204, "\(s3.text)")
        return try await send(.POST, sandbox.omnigageBaseURL + "/import-contacts", headers: omnigageHeaders,
                              body: importBody(uploadID: form.id, extra: extra))
    }

    @Test func importRunsFromQueuedToCompletedWithCounts() async throws {
        try await withSandbox { sandbox in
            let created = try await Self.startImport(sandbox)
            #expect(created.status == 201, "\(created.text)")
            let data = try #require(created.json?["data"])
            let id = try #require(data["id"]?.stringValue)
            let attributes = try #require(data["attributes"])
            #expect(attributes["status"]?.stringValue == "queued")
            #expect(attributes["header"] == .array(["First Name", "Last Name", "Company", "Phone Number", "Email Address"].map { .string($0) }))
            #expect(attributes["mapping"] == .array(["first-name", "last-name", "company", "phone1-phone-number", "email1-email-address"].map { .string($0) }))
            #expect(attributes["sample"] == .array(["Sampson", "Victor", "Omnigage", "14076341732", "sampson.victor@mailinator.com"].map { .string($0) }))
            #expect(attributes["count-total"]?.intValue == 0)
            #expect(data["relationships"]?["results"]?["links"]?["related"]?.stringValue == "\(sandbox.omnigageBaseURL)/import-contacts/\(id)/results")

            var statuses: [String] = []
            var last: JSONValue = .null
            for _ in 0..<3 {
                let poll = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
                #expect(poll.status == 200)
                last = try #require(poll.json?["data"])
                statuses.append(last["attributes"]?["status"]?.stringValue ?? "?")
            }
            #expect(statuses == ["in-progress", "completed", "completed"])
            let done = try #require(last["attributes"])
            #expect(done["count-created"]?.intValue == 2)
            #expect(done["count-updated"]?.intValue == 1)
            #expect(done["count-erred"]?.intValue == 1)
            #expect(done["count-total"]?.intValue == 4)
            #expect(last["relationships"]?["errors-file"]?["data"]?["type"]?.stringValue == "files")

            let results = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)/results", headers: omnigageHeaders)
            let rows = try #require(results.json?["data"]?.arrayValue)
            #expect(rows.map { $0["attributes"]?["status"]?.stringValue ?? "" } == ["created", "created", "updated", "erred"])
            #expect(rows[3]["attributes"]?["message"]?.stringValue == "Invalid phone number specified")

            let contacts = await sandbox.omnigageContacts()
            #expect(contacts.count == 2)
            #expect(contacts.first?.fields["first-name"] == "Sam")
            #expect(await sandbox.omnigageImports().first?.status == "completed")
        }
    }

    @Test func aSecondImportOfTheSameFileUpdatesEveryContact() async throws {
        try await withSandbox { sandbox in
            for round in 0..<2 {
                let created = try await Self.startImport(sandbox)
                let id = try #require(created.json?["data"]?["id"]?.stringValue)
                _ = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
                let done = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
                let attributes = try #require(done.json?["data"]?["attributes"])
                #expect(attributes["count-created"]?.intValue == (round == 0 ? 2 : 0))
                #expect(attributes["count-updated"]?.intValue == (round == 0 ? 1 : 3))
            }
            #expect(await sandbox.omnigageContacts().count == 2)
        }
    }

    @Test func aGivenMappingIsValidated() async throws {
        try await withSandbox { sandbox in
            let wrongLength = try await Self.startImport(sandbox, extra: [("mapping", .array([.string("first-name")]))])
            #expect(wrongLength.status == 422)
            #expect(wrongLength.json?["errors"]?.arrayValue?.first?["detail"]?.stringValue == "\"mapping\" has 1 entries but the file has 5 columns.")
            let unknown = try await Self.startImport(sandbox, extra: [("mapping", .array([.string("nickname"), .null, .null, .null, .null]))])
            #expect(unknown.status == 422)
        }
    }

    @Test func aPendingImportWaitsForItsPatch() async throws {
        try await withSandbox { sandbox in
            let created = try await Self.startImport(sandbox, extra: [("status", .string("pending"))])
            let id = try #require(created.json?["data"]?["id"]?.stringValue)
            let poll = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
            #expect(poll.json?["data"]?["attributes"]?["status"]?.stringValue == "pending")
            let patch = JSONValue.object([("data", .object([("type", .string("import-contacts")), ("id", .string(id)), ("attributes", .object([
                ("status", .string("queued")),
                ("mapping", .array([.string("first-name"), .string("last-name"), .null, .string("phone1-phone-number"), .null])),
            ]))]))])
            let patched = try await send(.PATCH, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders,
                                         body: Array(patch.serialized().utf8))
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json?["data"]?["attributes"]?["status"]?.stringValue == "queued")
            #expect(patched.json?["data"]?["attributes"]?["mapping"]?.arrayValue?[2] == .null)
        }
    }

    @Test func importAlsoAdvancesWithTime() async throws {
        let clock = LockedBox(Date(timeIntervalSince1970: 2_000_000_000))
        var configuration = SandboxConfiguration()
        configuration.importPollsPerStep = 100
        configuration.importSecondsPerStep = 5
        configuration.now = { clock.withLockedValue { $0 } }
        try await withSandbox(configuration) { sandbox in
            let created = try await Self.startImport(sandbox)
            let id = try #require(created.json?["data"]?["id"]?.stringValue)
            func status() async throws -> String? {
                try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
                    .json?["data"]?["attributes"]?["status"]?.stringValue
            }
            #expect(try await status() == "queued")
            clock.withLockedValue { $0 += 6 }
            #expect(try await status() == "in-progress")
            clock.withLockedValue { $0 += 5 }
            #expect(try await status() == "completed")
        }
    }

    @Test func importsAnExcelUpload() async throws {
        try await withSandbox { sandbox in
            let xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            let bytes = try Workbook.bytes(rows: [
                ["First Name", "Last Name", "Company", "Phone Number", "Email Address"],
                ["Sampson", "Victor", "Omnigage", "14076341732", "sampson.victor@mailinator.com"],
                ["Ada", "Quill", "Northwind", "5550100123", "ada.quill@example.com"],
            ])
            let form = try await createUpload(sandbox, name: "import-5.xlsx", type: xlsxType, size: bytes.count)
            #expect(try await postToS3(form, filename: "import-5.xlsx", content: bytes, contentType: xlsxType).status == 204)
            let created = try await send(.POST, sandbox.omnigageBaseURL + "/import-contacts", headers: omnigageHeaders,
                                         body: Self.importBody(uploadID: form.id))
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json?["data"]?["attributes"]?["sample"]?.arrayValue?.first == .string("Sampson"))
            let id = try #require(created.json?["data"]?["id"]?.stringValue)
            _ = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
            let done = try await send(.GET, sandbox.omnigageBaseURL + "/import-contacts/\(id)", headers: omnigageHeaders)
            #expect(done.json?["data"]?["attributes"]?["count-created"]?.intValue == 2)
        }
    }

    @Test func anUnreadableUploadIsRefusedWithTheReadersReason() async throws {
        try await withSandbox { sandbox in
            let xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            let form = try await createUpload(sandbox, name: "broken.xlsx", type: xlsxType, size: 10)
            #expect(try await postToS3(form, filename: "broken.xlsx", content: Array("not a zip".utf8), contentType: xlsxType).status == 204)
            let created = try await send(.POST, sandbox.omnigageBaseURL + "/import-contacts", headers: omnigageHeaders,
                                         body: Self.importBody(uploadID: form.id))
            #expect(created.status == 422)
            #expect(created.json?["errors"]?.arrayValue?.first?["detail"]?.stringValue?.contains("could not be read") == true)
        }
    }
}
