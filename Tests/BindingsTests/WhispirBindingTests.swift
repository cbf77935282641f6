import Foundation
import Testing
@testable import Bindings
import LuaRuntime
import Sandbox

@Suite(.serialized) struct WhispirBindingTests {
    // The seed's three sample documents (docs: whispir.md §14.1: the CSV's third line has an extra field).
    static let seedCSV = """
        firstName,lastName,workEmailAddress1,workMobilePhone1,workCountry,timezone
        John,Smith,john.smith@testcompany.com,61423456789,Australia,+10
        Jane,Smith,jane.smith@testcompany,com,61498765432,Australia,+10

        """
    static let seedJSON = """
        {
          "contacts" : [{
            "firstName": "John", "lastName": "Smith", "workEmailAddress1": "john.smith@testcompany.com",
            "workMobilePhone1": "61423456789", "workCountry": "Australia", "timezone": "+10"
          },{
            "firstName": "Jane", "lastName": "Smith", "workEmailAddress1": "jane.smith@testcompany.com",
            "workMobilePhone1": "61498765432", "workCountry": "Australia", "timezone": "+10"
          }]
        }
        """
    static let seedXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <ns2:import xmlns:ns2="http://schemas.api.whispir.com" xmlns:ns3="http://schemas.api.whispir.com/dap">
            <ns2:contacts>
                <ns2:contact>
                    <firstName>John</firstName><lastName>Smith</lastName>
                    <workEmailAddress1>john.smith@testcompany.com</workEmailAddress1>
                    <workMobilePhone1>61423456789</workMobilePhone1><workCountry>Australia</workCountry><timezone>+10</timezone>
                </ns2:contact>
                <ns2:contact>
                    <firstName>Jane</firstName><lastName>Smith</lastName>
                    <workEmailAddress1>jane.smith@testcompany.com</workEmailAddress1>
                    <workMobilePhone1>61498765432</workMobilePhone1><workCountry>Australia</workCountry><timezone>+10</timezone>
                </ns2:contact>
           </ns2:contacts>
        </ns2:import>
        """
    static let identityMapping = """
        { firstName = "firstName", lastName = "lastName", workEmailAddress1 = "workEmailAddress1",
          workMobilePhone1 = "workMobilePhone1", workCountry = "workCountry", timezone = "timezone" }
        """

    @Test func seedCSVImportsJohnAndRejectsJaneNamingLine3() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeFile(dir, "seed.csv", Self.seedCSV)
        let script = """
            local src = roster.read(arg[1])
            local wh = roster.whispir { region = "au" }
            local r = wh:import(src, { import_mode = "replace", field_mapping = \(Self.identityMapping) })
            local s, issue = src:stats(), src:issues()[1]
            return r.sent, #r.imports, r.imports[1].total, s.read, s.sent, s.rejected, issue.outcome, issue.row, issue.line
            """
        let outcome = try await runScript(script, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        let contacts = await sandbox.whispirContacts()
        await sandbox.stop()
        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        #expect(outcome.values == [1, 1, 1, 2, 1, 1, "rejected", 2, 3])
        #expect(contacts.map { $0.fields["firstName"] } == ["John"])
        #expect(contacts.first?.fields["workEmailAddress1"] == "john.smith@testcompany.com")
    }

    @Test func seedJSONAndXMLDocumentsImportBothContacts() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let json = try writeFile(dir, "seed.json", Self.seedJSON)
        let xml = try writeFile(dir, "seed.xml", Self.seedXML)
        let script = """
            local wh = roster.whispir {}
            local r = wh:import(roster.read(arg[1]), { field_mapping = \(Self.identityMapping) })
            local id = wh:create_resource { name = "seed.xml", mime_type = "application/xml", path = arg[2],
                                            workspace = "\(SandboxCredentials.whispirSecondWorkspace)" }
            local started = wh:create_import { resource = id, import_mode = "replace", field_mapping = \(Self.identityMapping),
                                               workspace = "\(SandboxCredentials.whispirSecondWorkspace)" }
            return r.sent, started.status, type(started.location)
            """
        let outcome = try await runScript(script, in: dir, arguments: [json, xml], sandbox: .running(target(of: sandbox)))
        let fromJSON = await sandbox.whispirContacts()
        let fromXML = await sandbox.whispirContacts(workspace: SandboxCredentials.whispirSecondWorkspace)
        await sandbox.stop()
        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        #expect(outcome.values == [2, 202, "string"])
        #expect(fromJSON.compactMap { $0.fields["firstName"] }.sorted() == ["Jane", "John"])
        #expect(fromXML.compactMap { $0.fields["workMobilePhone1"] }.sorted() == ["61423456789", "61498765432"])
    }

    @Test func missingMandatoryMappingStopsBeforeAnyRequest() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeFile(dir, "seed.csv", Self.seedCSV)
        let script = """
            local wh = roster.whispir {}
            wh:import(arg[1], { field_mapping = { firstName = "firstName", lastName = "lastName", workMobilePhone1 = "workMobilePhone1" } })
            """
        let outcome = try await runScript(script, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        let resources = await sandbox.whispirResources()
        await sandbox.stop()
        let message = try #require(outcome.error?.message)
        #expect(message.contains("invalid Whispir field mapping (nothing was sent)"))
        #expect(message.contains("mandatory field workCountry is not mapped"))
        #expect(message.contains("mandatory field timezone is not mapped"))
        #expect(outcome.exitCode == 2)
        #expect(outcome.json.contains(#""stage":"check""#))
        #expect(resources.isEmpty)
    }

    @Test func aLargeInputIsSplitIntoPartsUnderTheLimitAndEveryRowArrivesOnce() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var csv = "firstName,lastName,workEmailAddress1,workMobilePhone1,workCountry,timezone,notes\n"
        // Long rows keep the row count (~10,000) small: the sandbox matches each row against every contact.
        let padding = String(repeating: "x", count: 2_400)
        var rows = 0
        while csv.utf8.count < 25_000_000 {
            rows += 1
            csv += "Ann\(rows),Lee,ann\(rows)@example.com,614\(String(format: "%08d", rows)),Australia,+10,\(padding)\n"
        }
        let input = try writeFile(dir, "big.csv", csv)
        let script = """
            local wh = roster.whispir {}
            local r = wh:import(arg[1], { import_mode = "duplicate", field_mapping = \(Self.identityMapping) })
            local out = { r.sent, #r.imports }
            for _, p in ipairs(r.imports) do out[#out + 1] = p.total end
            return table.unpack(out)
            """
        let outcome = try await runScript(script, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        let contacts = await sandbox.whispirContacts()
        let resources = await sandbox.whispirResources()
        await sandbox.stop()
        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        let values = outcome.values
        #expect(values.first == .integer(Int64(rows)))
        #expect(values.count >= 5)  // 25 MB of CSV makes over 33 MB of base64: at least 4 parts
        let partRows = values.dropFirst(2).compactMap { if case .integer(let n) = $0 { return n } else { return nil } }
        #expect(partRows.allSatisfy { $0 > 0 })
        #expect(partRows.reduce(0, +) == Int64(rows))
        #expect(resources.count == values.count - 2)
        #expect(contacts.count == rows)
        #expect(Set(contacts.compactMap { $0.fields["workEmailAddress1"] }).count == rows)
    }

    @Test func rateLimitingIsWaitedOut() async throws {
        let sandbox = try await SandboxServer().start()
        await sandbox.setWhispirRateLimits(perSecond: 1, perDay: nil)
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeFile(dir, "seed.json", Self.seedJSON)
        let script = """
            local wh = roster.whispir {}
            local a = wh:import(arg[1], { field_mapping = \(Self.identityMapping) })
            local b = wh:import(arg[1], { field_mapping = \(Self.identityMapping), import_mode = "duplicate" })
            return a.sent, b.sent
            """
        let started = ContinuousClock.now
        let outcome = try await runScript(script, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        let elapsed = ContinuousClock.now - started
        let contacts = await sandbox.whispirContacts()
        await sandbox.stop()
        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        #expect(outcome.values == [2, 2])
        #expect(contacts.count == 4)
        #expect(elapsed >= .seconds(1))  // four requests at one per second must have waited
    }
}
