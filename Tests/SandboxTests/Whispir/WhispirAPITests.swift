import Foundation
import Testing

@testable import Sandbox

@Suite struct WhispirAPITests {
    static let csv = """
        given,family,email,mobile,country,tz
        Mia,Tran,mia.tran@example.org,61400111222,Australia,Australia/Sydney
        Joe,Bloggs,joe@example.org,61400333444,Australia,+10
        No,Phone,,,Australia,+10

        """

    static let auth: [(String, String)] = [
        ("Authorization", basic(SandboxCredentials.whispirUsername, SandboxCredentials.whispirPassword)),
        ("x-api-key", SandboxCredentials.whispirAPIKey),
    ]

    static let mapping: JSONValue = .object([
        ("firstName", .string("given")), ("lastName", .string("family")), ("workEmailAddress1", .string("email")),
        ("workMobilePhone1", .string("mobile")), ("workCountry", .string("country")), ("timezone", .string("tz")),
    ])

    static func createResource(_ sandbox: RunningSandbox, path: String = "/resources", content: String = csv,
                               mimeType: String = "text/csv") async throws -> HTTPReply {
        let body = JSONValue.object([("name", .string("staff.csv")), ("scope", .string("private")), ("mimeType", .string(mimeType)),
                                     ("derefUri", .string(Data(content.utf8).base64EncodedString()))])
        return try await send(.POST, sandbox.whispirBaseURL + path + "?apikey=\(SandboxCredentials.whispirAPIKey)",
                              headers: auth + [("Content-Type", "application/vnd.whispir.resource-v1+json"),
                                               ("Accept", "application/vnd.whispir.resource-v1+json")],
                              body: Array(body.serialized().utf8))
    }

    static func importBody(resourceID: String, mode: String, topLevel: Bool, mapping: JSONValue = mapping) -> [UInt8] {
        var options: [(String, JSONValue)] = [("fieldMapping", mapping)]
        var document: [(String, JSONValue)] = [("resourceId", .string(resourceID)), ("importType", .string("contact"))]
        if topLevel {
            document.append(("importOptions", .object(options)))
            document.append(("importMode", .string(mode)))
        } else {
            options.append(("importMode", .string(mode)))
            document.append(("importOptions", .object(options)))
        }
        return Array(JSONValue.object(document).serialized().utf8)
    }

    static func postImport(_ sandbox: RunningSandbox, path: String = "/imports", resourceID: String, mode: String, topLevel: Bool,
                           mediaType: String = "application/vnd.whispir.importcontact-v1+json", mapping: JSONValue = mapping) async throws -> HTTPReply {
        try await send(.POST, sandbox.whispirBaseURL + path, headers: auth + [("Content-Type", mediaType), ("Accept", mediaType)],
                       body: importBody(resourceID: resourceID, mode: mode, topLevel: topLevel, mapping: mapping))
    }

    @Test func createsAResourceWithLocationAndLinks() async throws {
        try await withSandbox { sandbox in
            let reply = try await Self.createResource(sandbox)
            #expect(reply.status == 201, "\(reply.text)")
            let id = try #require(reply.json?["id"]?.stringValue)
            #expect(reply.header("Location") == "\(sandbox.whispirBaseURL)/workspaces/\(SandboxCredentials.whispirDefaultWorkspace)/resources/\(id)")
            #expect(reply.json?["link"]?.arrayValue?.compactMap { $0["rel"]?.stringValue } == ["self", "updateResource", "deleteResource"])
            let stored = await sandbox.whispirResources()
            #expect(stored.count == 1)
            #expect(FileManager.default.contents(atPath: stored[0].path) == Data(Self.csv.utf8))
        }
    }

    @Test func refusesPrivateResourcesOfOtherTypesAndBadBase64() async throws {
        try await withSandbox { sandbox in
            let pdf = try await Self.createResource(sandbox, mimeType: "application/pdf")
            #expect(pdf.status == 422)
            #expect(pdf.json?["errorText"]?.stringValue == "mimeType application/pdf is not allowed for private resources")
            #expect(pdf.json?["errorDetail"] != nil && pdf.json?["errorSummary"] != nil)
        }
    }

    @Test func enforcesTheTenMegabyteRequestLimit() async throws {
        try await withSandbox { sandbox in
            let big = String(repeating: "a,b,c,d,e,f\n", count: 900_000)  // 10.8 MB raw, 14.4 MB in base64
            let reply = try await Self.createResource(sandbox, content: big)
            #expect(reply.status == 413)
            #expect(reply.json == .string("HTTP content length exceeded 10485760 bytes."))
            #expect(await sandbox.whispirResources().isEmpty)
        }
    }

    @Test(arguments: [
        ("application/vnd.whispir.import-v1+json", false),
        ("application/vnd.whispir.importcontact-v1+json", true),
        ("application/vnd.whispir.import-v1+json", true),
        ("application/vnd.whispir.importcontact-v1+json", false),
    ])
    func importsWithEitherMediaTypeAndModePlacement(mediaType: String, topLevel: Bool) async throws {
        try await withSandbox { sandbox in
            let resource = try await Self.createResource(sandbox, path: "/workspaces/\(SandboxCredentials.whispirSecondWorkspace)/resources")
            let id = try #require(resource.json?["id"]?.stringValue)
            let reply = try await Self.postImport(sandbox, path: "/workspaces/\(SandboxCredentials.whispirSecondWorkspace)/imports",
                                                  resourceID: id, mode: "replace", topLevel: topLevel, mediaType: mediaType)
            #expect(reply.status == 202, "\(reply.text)")
            #expect(reply.header("Location")?.hasPrefix("\(sandbox.whispirBaseURL)/workspaces/\(SandboxCredentials.whispirSecondWorkspace)/imports/") == true)
            let imports = await sandbox.whispirImports()
            #expect(imports.first?.importModePlacement == (topLevel ? "top-level" : "importOptions"))
            #expect(imports.first?.mediaType == mediaType)
            let contacts = await sandbox.whispirContacts(workspace: SandboxCredentials.whispirSecondWorkspace)
            #expect(contacts.map { $0.fields["firstName"] ?? "" } == ["Mia", "Joe"])
            #expect(imports.first?.failed.map(\.row) == [3])
            #expect(await sandbox.whispirContacts().isEmpty)
        }
    }

    @Test func missingMandatoryMappingIsA400InWhispirsShape() async throws {
        try await withSandbox { sandbox in
            let resource = try await Self.createResource(sandbox)
            let id = try #require(resource.json?["id"]?.stringValue)
            let partial = JSONValue.object([("firstName", .string("given")), ("lastName", .string("family")), ("workMobilePhone1", .string("mobile")),
                                            ("workCountry", .string("country"))])
            let reply = try await Self.postImport(sandbox, resourceID: id, mode: "replace", topLevel: false, mapping: partial)
            #expect(reply.status == 400)
            #expect(reply.json?["errorText"]?.stringValue == "timezone is required")
            #expect(reply.json?["errorSummary"]?.stringValue?.isEmpty == false)
            #expect(reply.json?["errorDetail"]?.stringValue == "")
        }
    }

    @Test func conflictingModePlacementsAndUnknownResourcesAreRefused() async throws {
        try await withSandbox { sandbox in
            let unknown = try await Self.postImport(sandbox, resourceID: "FFFF", mode: "replace", topLevel: false)
            #expect(unknown.status == 404)
            let resource = try await Self.createResource(sandbox)
            let id = try #require(resource.json?["id"]?.stringValue)
            let both = JSONValue.object([("resourceId", .string(id)), ("importType", .string("contact")), ("importMode", .string("ignore")),
                                         ("importOptions", .object([("fieldMapping", Self.mapping), ("importMode", .string("replace"))]))])
            let reply = try await send(.POST, sandbox.whispirBaseURL + "/imports",
                                       headers: Self.auth + [("Content-Type", "application/vnd.whispir.importcontact-v1+json")],
                                       body: Array(both.serialized().utf8))
            #expect(reply.status == 400)
            let wrongType = try await Self.postImport(sandbox, resourceID: id, mode: "replace", topLevel: false, mediaType: "application/json")
            #expect(wrongType.status == 415)
        }
    }

    @Test func contactsFollowTheImportMode() async throws {
        try await withSandbox { sandbox in
            let first = try await Self.createResource(sandbox)
            let firstID = try #require(first.json?["id"]?.stringValue)
            #expect(try await Self.postImport(sandbox, resourceID: firstID, mode: "replace", topLevel: false).status == 202)
            let changed = Self.csv.replacingOccurrences(of: "Mia,Tran", with: "Mia,Nguyen")
            let second = try await Self.createResource(sandbox, content: changed)
            let secondID = try #require(second.json?["id"]?.stringValue)

            #expect(try await Self.postImport(sandbox, resourceID: secondID, mode: "ignore", topLevel: false).status == 202)
            var contacts = await sandbox.whispirContacts()
            #expect(contacts.count == 2 && contacts[0].fields["lastName"] == "Tran")

            #expect(try await Self.postImport(sandbox, resourceID: secondID, mode: "replace", topLevel: true).status == 202)
            contacts = await sandbox.whispirContacts()
            #expect(contacts.count == 2 && contacts[0].fields["lastName"] == "Nguyen")

            #expect(try await Self.postImport(sandbox, resourceID: firstID, mode: "duplicate", topLevel: false).status == 202)
            contacts = await sandbox.whispirContacts()
            #expect(contacts.count == 4)
            let imports = await sandbox.whispirImports()
            #expect(imports.map(\.created) == [2, 0, 0, 2])
            #expect(imports.map(\.updated) == [0, 0, 2, 0])
            #expect(imports.map(\.ignored) == [0, 2, 0, 0])

            let listed = try await send(.GET, sandbox.whispirBaseURL + "/contacts?lastName=Nguyen", headers: Self.auth)
            #expect(listed.json?["contacts"]?.arrayValue?.count == 1)
            let log = try await send(.GET, sandbox.whispirBaseURL + "/activities?module=Contact&action=Contact%20Import%20File", headers: Self.auth)
            #expect(log.json?["activities"]?.arrayValue?.count == 4)
            let failed = try await send(.GET, sandbox.whispirBaseURL + "/activities?status=Failed", headers: Self.auth)
            #expect(failed.status == 404)
        }
    }

    @Test func checksTheThreeAuthenticationParts() async throws {
        try await withSandbox { sandbox in
            let url = sandbox.whispirBaseURL + "/resources"
            let noKey = try await send(.GET, url, headers: [Self.auth[0]])
            #expect(noKey.status == 403 && noKey.json?["errorText"]?.stringValue == "Forbidden")
            let badUser = try await send(.GET, url, headers: [("Authorization", basic("sandbox.user", "wrong")), Self.auth[1]])
            #expect(badUser.status == 401 && badUser.json?["errorText"]?.stringValue == "Unauthorized")
            let mismatchedQuery = try await send(.GET, url + "?apikey=other", headers: Self.auth)
            #expect(mismatchedQuery.status == 403)
            let ok = try await send(.GET, url + "?apikey=\(SandboxCredentials.whispirAPIKey)", headers: Self.auth)
            #expect(ok.status == 200)
        }
        var strict = SandboxConfiguration()
        strict.whispirRequireQueryAPIKey = true
        try await withSandbox(strict) { sandbox in
            let headerOnly = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth)
            #expect(headerOnly.status == 403)
        }
    }

    @Test func rateLimitAnswersOverQPS() async throws {
        // A frozen clock keeps the three requests inside one second however slow the machine is.
        let clock = LockedBox(Date(timeIntervalSince1970: 2_000_000_000))
        var configuration = SandboxConfiguration()
        configuration.whispirQueriesPerSecond = 2
        configuration.now = { clock.withLockedValue { $0 } }
        try await withSandbox(configuration) { sandbox in
            var statuses: [Int] = []
            var last: HTTPReply?
            for _ in 0..<3 {
                let reply = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth)
                statuses.append(reply.status)
                last = reply
            }
            #expect(statuses == [200, 200, 403])
            #expect(last?.header("X-Error-Code") == "ERR_403_DEVELOPER_OVER_QPS")
            clock.withLockedValue { $0 += 1.1 }
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth).status == 200)
        }
    }

    @Test func dailyQuotaAnswersOverQPDWith429WhenConfigured() async throws {
        var configuration = SandboxConfiguration()
        configuration.whispirQueriesPerDay = 1
        configuration.whispirRateLimitUses429 = true
        try await withSandbox(configuration) { sandbox in
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth).status == 200)
            let over = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth)
            #expect(over.status == 429)
            #expect(over.header("X-Error-Code") == "ERR_403_DEVELOPER_OVER_QPD")
        }
    }

    @Test func rateLimitCanBeSwitchedOnWhileRunning() async throws {
        let clock = LockedBox(Date(timeIntervalSince1970: 2_000_000_000))
        var configuration = SandboxConfiguration()
        configuration.now = { clock.withLockedValue { $0 } }
        try await withSandbox(configuration) { sandbox in
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth).status == 200)
            await sandbox.setWhispirRateLimits(perSecond: 1, perDay: nil)
            _ = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth)
            let over = try await send(.GET, sandbox.whispirBaseURL + "/resources", headers: Self.auth)
            #expect(over.status == 403 && over.header("X-Error-Code") == "ERR_403_DEVELOPER_OVER_QPS")
        }
    }

    @Test func resourcesCanBeReplacedAndDeleted() async throws {
        try await withSandbox { sandbox in
            let created = try await Self.createResource(sandbox)
            let id = try #require(created.json?["id"]?.stringValue)
            let body = JSONValue.object([("name", .string("v2.csv")), ("scope", .string("private")), ("mimeType", .string("text/csv")),
                                         ("derefUri", .string(Data("a,b\n1,2\n".utf8).base64EncodedString()))])
            let put = try await send(.PUT, sandbox.whispirBaseURL + "/resources/\(id)",
                                     headers: Self.auth + [("Content-Type", "application/vnd.whispir.resource-v1+json")],
                                     body: Array(body.serialized().utf8))
            #expect(put.status == 204)
            #expect(await sandbox.whispirResources().first?.name == "v2.csv")
            #expect(try await send(.DELETE, sandbox.whispirBaseURL + "/resources/\(id)", headers: Self.auth).status == 204)
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/resources/\(id)", headers: Self.auth).status == 404)
            #expect(try await send(.GET, sandbox.whispirBaseURL + "/imports", headers: Self.auth).status == 405)
        }
    }

    @Test func importsAJSONResource() async throws {
        try await withSandbox { sandbox in
            let json = #"{"contacts": [{"given": "Mia", "family": "Tran", "email": "mia.tran@example.org", "mobile": "61400111222", "country": "Australia", "tz": "Australia/Sydney"}]}"#
            let resource = try await Self.createResource(sandbox, content: json, mimeType: "application/json")
            let id = try #require(resource.json?["id"]?.stringValue)
            let reply = try await Self.postImport(sandbox, resourceID: id, mode: "replace", topLevel: false)
            #expect(reply.status == 202, "\(reply.text)")
            #expect(await sandbox.whispirContacts().first?.fields["timezone"] == "Australia/Sydney")
        }
    }

    @Test func theSeedsBrokenRowIsRejectedNotShifted() async throws {
        try await withSandbox { sandbox in
            let csv = """
                firstName,lastName,workEmailAddress1,workMobilePhone1,workCountry,timezone
                John,Smith,john.smith@testcompany.com,61423456789,Australia,+10
                Jane,Smith,jane.smith@testcompany,com,61498765432,Australia,+10

                """
            let resource = try await Self.createResource(sandbox, content: csv)
            let id = try #require(resource.json?["id"]?.stringValue)
            let identity = JSONValue.object(["firstName", "lastName", "workEmailAddress1", "workMobilePhone1", "workCountry", "timezone"].map { ($0, .string($0)) })
            #expect(try await Self.postImport(sandbox, resourceID: id, mode: "replace", topLevel: false, mapping: identity).status == 202)
            #expect(await sandbox.whispirContacts().map { $0.fields["firstName"] ?? "" } == ["John"])
            #expect(await sandbox.whispirImports().first?.failed.map(\.row) == [2])
        }
    }

    @Test func aMappedColumnTheResourceLacksIsA422() async throws {
        try await withSandbox { sandbox in
            let resource = try await Self.createResource(sandbox)
            let id = try #require(resource.json?["id"]?.stringValue)
            let wrong = JSONValue.object([("firstName", .string("given")), ("lastName", .string("family")), ("workMobilePhone1", .string("workEmailAddress1")),
                                          ("workCountry", .string("country")), ("timezone", .string("tz"))])
            let reply = try await Self.postImport(sandbox, resourceID: id, mode: "replace", topLevel: false, mapping: wrong)
            #expect(reply.status == 422)
            #expect(reply.json?["errorText"]?.stringValue == "workMobilePhone1 maps to missing column workEmailAddress1")
        }
    }
}
