import Foundation
import RosterTestSupport
import Testing
import Transport
@testable import Whispir

@Suite struct WhispirClientTests {
    static let csv = Array("firstName,lastName,workEmailAddress1,workMobilePhone1,workCountry,timezone\nJohn,Smith,john.smith@testcompany.com,61423456789,Australia,+10\n".utf8)

    @Test func sendsTheSeedsWireFormatByDefault() async throws {
        let server = try await startWhispir()
        let transport = makeTransport()
        let client = makeClient(server, transport: transport)
        let resource = try await client.createResource(name: "au staff.csv", mimeType: "text/csv", content: Self.csv)
        #expect(resource.id == "R1")
        #expect(resource.name == "au-staff.csv")
        #expect(resource.location?.contains("apikey=***") == true)
        let receipt = try await client.createImport(resource: resource.id, importMode: .replace, fieldMapping: seedMapping)
        #expect(receipt.status == 202)
        #expect(receipt.importID == "IMP1")

        let (resourceRequest, importRequest) = (server.requests[0], server.requests[1])
        #expect(resourceRequest.path == "/resources")
        #expect(resourceRequest.query == "apikey=APIKEY-SECRET")
        #expect(resourceRequest.header("x-api-key") == "APIKEY-SECRET")
        #expect(resourceRequest.header("Authorization") == "Basic " + Data("joe:PASSWORD-SECRET".utf8).base64EncodedString())
        #expect(resourceRequest.header("Content-Type") == "application/vnd.whispir.resource-v1+json")
        #expect(resourceRequest.header("Accept") == "application/vnd.whispir.resource-v1+json")
        #expect(try JSONValue.parse(resourceRequest.body) == .object([
            "name": .string("au-staff.csv"), "scope": .string("private"), "mimeType": .string("text/csv"),
            "derefUri": .string(Data(Self.csv).base64EncodedString()),
        ]))
        #expect(importRequest.path == "/imports")
        #expect(importRequest.header("Content-Type") == "application/vnd.whispir.import-v1+json")
        #expect(importRequest.header("Accept") == "application/vnd.whispir.import-v1+json")
        #expect(try JSONValue.parse(importRequest.body) == .object([
            "resourceId": .string("R1"), "importType": .string("contact"),
            "importOptions": .object(["fieldMapping": .object(seedMapping.mapValues { .string($0) }), "importMode": .string("replace")]),
        ]))
        try await transport.shutdown()
        await server.stop()
    }

    @Test func offersTheNewerMediaTypeAndTopLevelImportModeForWorkspaces() async throws {
        let server = try await startWhispir()
        let transport = makeTransport()
        let client = makeClient(server, transport: transport, workspace: "9A4C5521FFC7B15B", mediaType: .importContactV1, placement: .topLevel)
        _ = try await client.createImport(resource: "R9", importMode: .ignore, fieldMapping: seedMapping)
        let request = try #require(server.requests.first)
        #expect(request.path == "/workspaces/9A4C5521FFC7B15B/imports")
        #expect(request.header("Content-Type") == "application/vnd.whispir.importcontact-v1+json")
        let body = try JSONValue.parse(request.body)
        #expect(body["importMode"] == .string("ignore"))
        #expect(body["importOptions"]?["importMode"] == nil)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func resourceIdComesFromTheBodyWhenLocationIsAbsent() async throws {
        let server = try await startWhispir { request in
            request.path.hasSuffix("/resources") ? StubResponse(status: 201, json: #"{"id":"6D1E0B7F"}"#) : nil
        }
        let transport = makeTransport()
        let resource = try await makeClient(server, transport: transport).createResource(name: "c.json", mimeType: "application/json", content: Array("{}".utf8))
        #expect(resource.id == "6D1E0B7F")
        #expect(WhispirClient.lastSegment("http://api/resources/4FBBC384BCE3DAABFE3?apikey=k") == "4FBBC384BCE3DAABFE3")
        try await transport.shutdown()
        await server.stop()
    }

    @Test func refusesPrivateResourcesOfOtherTypesBeforeSending() async throws {
        let server = try await startWhispir()
        let transport = makeTransport()
        await #expect(throws: WhispirError.self) {
            _ = try await makeClient(server, transport: transport).createResource(name: "a.xlsx", mimeType: "application/vnd.ms-excel", content: [1])
        }
        #expect(server.requests.isEmpty)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func missingMandatoryMappingFailsBeforeAnyRequest() async throws {
        let server = try await startWhispir()
        let transport = makeTransport()
        var mapping = seedMapping
        mapping["timezone"] = nil
        mapping["workCountry"] = nil
        do {
            _ = try await makeClient(server, transport: transport).importCSV(Self.csv, name: "c.csv", importMode: .replace, fieldMapping: mapping)
            Issue.record("expected a mapping error")
        } catch let error as WhispirError {
            #expect(error == .invalidMapping(["mandatory field workCountry is not mapped", "mandatory field timezone is not mapped"]))
            #expect(error.description.contains("nothing was sent"))
        }
        await #expect(throws: WhispirError.self) {
            _ = try await makeClient(server, transport: transport).createImport(resource: "R1", importMode: .replace, fieldMapping: mapping)
        }
        #expect(server.requests.isEmpty)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func unknownFieldsAndMissingColumnsAreAllReported() {
        var mapping = seedMapping
        mapping["timeZone"] = "timezone"
        mapping["workEmailAddress1"] = "email"
        mapping["custom_region"] = "workCountry"
        #expect(throws: WhispirError.invalidMapping([
            "custom_region is not a Whispir contact field (declare it as a custom field if your profile has it)",
            "timeZone is not a Whispir contact field (did you mean timezone?)",
            "workEmailAddress1 is mapped to column \"email\", which the file does not have (columns: firstName, lastName, workEmailAddress1, workMobilePhone1, workCountry, timezone)",
        ])) {
            _ = try WhispirClient.validate(csv: Self.csv, fieldMapping: mapping)
        }
        mapping["timeZone"] = nil
        mapping["workEmailAddress1"] = "workEmailAddress1"
        #expect(throws: Never.self) { _ = try WhispirClient.validate(csv: Self.csv, fieldMapping: mapping, customFields: ["custom_region"]) }
    }

    @Test func warnsWhenEmailValuesAreMappedToTheMobileField() throws {
        var mapping = seedMapping
        mapping["workMobilePhone1"] = "workEmailAddress1"  // the seed document's own mistake
        let warnings = try WhispirClient.validate(csv: Self.csv, fieldMapping: mapping)
        #expect(warnings == ["column \"workEmailAddress1\" mapped to workMobilePhone1: 1 of 1 sampled values do not look like international phone numbers (Whispir wants the country code first, e.g. 61423456789) (e.g. \"john.smith@testcompany.com\"); they look like email addresses"])
        #expect(try WhispirClient.validate(csv: Self.csv, fieldMapping: seedMapping).isEmpty)
        // libphonenumber decides: local numbers name no country, and digits that are no real range are no number.
        for (mobile, warned) in [("0423 456 789", true), ("6142", true), ("+61 423 456 789", false), ("61423456789", false), ("14075550100", false)] {
            let csv = Array(String(decoding: Self.csv, as: UTF8.self).replacingOccurrences(of: "61423456789", with: mobile).utf8)
            let found = try WhispirClient.validate(csv: csv, fieldMapping: seedMapping)
            #expect(found.isEmpty != warned, "\(mobile): \(found)")
        }
    }

    @Test func overQPSIsWaitedOut() async throws {
        let hits = Counter()
        let server = try await startWhispir { request in
            guard request.path.hasSuffix("/resources"), hits.next() == 1 else { return nil }
            return StubResponse(status: 403, headers: [("X-Error-Code", "ERR_403_DEVELOPER_OVER_QPS"),
                                                       ("X-Error-Detail", "Account Over Queries Per Second Limit")])
        }
        let transport = makeTransport()
        let started = ContinuousClock.now
        let resource = try await makeClient(server, transport: transport).createResource(name: "c.csv", mimeType: "text/csv", content: Self.csv)
        let waited = ContinuousClock.now - started
        #expect(resource.id == "R1")
        #expect(server.requests.count == 2)
        #expect(waited >= .milliseconds(800))
        try await transport.shutdown()
        await server.stop()
    }

    @Test func overQPDStopsWithATypedError() async throws {
        let server = try await startWhispir { _ in
            StubResponse(status: 403, headers: [("X-Error-Code", "ERR_403_DEVELOPER_OVER_QPD"), ("X-Error-Detail", "Account Over Queries Per Day Limit")])
        }
        let transport = makeTransport()
        await #expect(throws: WhispirError.overDailyQuota(method: "POST", path: "/resources", detail: "Account Over Queries Per Day Limit")) {
            _ = try await makeClient(server, transport: transport).createResource(name: "c.csv", mimeType: "text/csv", content: Self.csv)
        }
        #expect(server.requests.count == 1)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func whispirErrorBodiesKeepAllThreeTextsAndTheStatus() async throws {
        let server = try await startWhispir { _ in
            StubResponse(status: 422, json: #"{"errorSummary":"Your request did not contain everything this method needs.","errorText":"workCountry is required","errorDetail":"field: workCountry"}"#)
        }
        let transport = makeTransport()
        do {
            _ = try await makeClient(server, transport: transport).createImport(resource: "R1", importMode: .replace, fieldMapping: seedMapping)
            Issue.record("expected an error")
        } catch let error as WhispirError {
            #expect(error == .api(method: "POST", path: "/imports", status: 422, summary: "Your request did not contain everything this method needs.",
                                  text: "workCountry is required", detail: "field: workCountry", errorCode: nil))
            #expect(error.status == 422)
            #expect(error.description.contains("workCountry is required"))
            #expect(!error.description.contains("APIKEY-SECRET"))
        }
        try await transport.shutdown()
        await server.stop()
    }

    @Test func configurationFromRegionOrBaseURLAndEnvironment() throws {
        #expect(try WhispirConfiguration.baseURL(region: "AU") == "https://api.au.whispir.com")
        #expect(try WhispirConfiguration.baseURL(region: "edu") == "https://api.education.whispir.com")
        for region in WhispirConfiguration.regions {
            #expect(try WhispirConfiguration.baseURL(region: region) == "https://api.\(region).whispir.com")
        }
        #expect(throws: WhispirError.unknownRegion("eu")) { _ = try WhispirConfiguration.baseURL(region: "eu") }
        let env = ["WHISPIR_API_KEY": "k", "WHISPIR_USERNAME": "u", "WHISPIR_PASSWORD": "p", "WHISPIR_REGION": "nz"]
        let config = try WhispirConfiguration.fromEnvironment(env, workspace: "ABC")
        #expect(config.baseURL == "https://api.nz.whispir.com")
        #expect(config.workspace == "ABC")
        #expect(config.importMediaType == .importV1)
        #expect(config.importModePlacement == .insideImportOptions)
        #expect(!config.description.contains("p,") && !config.description.contains(": k"))
        let sandbox = try WhispirConfiguration.fromEnvironment(env.merging(["WHISPIR_BASE_URL": "http://127.0.0.1:9/"]) { $1 })
        #expect(sandbox.baseURL == "http://127.0.0.1:9")
        #expect(throws: WhispirError.missingConfiguration(["WHISPIR_PASSWORD", "WHISPIR_REGION or WHISPIR_BASE_URL"])) {
            _ = try WhispirConfiguration.fromEnvironment(["WHISPIR_API_KEY": "k", "WHISPIR_USERNAME": "u"])
        }
    }

    @Test func resourceNamesAreMadeSafe() {
        #expect(WhispirClient.safeName("../dir/Staff List (AU).csv") == "Staff-List-AU.csv")
        #expect(WhispirClient.safeName("ünïcode.csv") == "n-code.csv")
        #expect(WhispirClient.safeName("///") == "contacts.csv")
    }
}
