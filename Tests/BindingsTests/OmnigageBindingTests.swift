import Foundation
import Testing
@testable import Bindings
import LuaRuntime
import Sandbox
import Transport

@Suite(.serialized) struct OmnigageBindingTests {
    static let contacts = """
        Given,Family,Mobile No,E-mail
        Ada,Quill,(407) 634-1732,ada@example.com
        Bob,Stone,407 555 0100,bob@example.com
        Ann,Quill,407.634.1732,ann@example.com
        Cy,Vale,12345,cy@example.com

        """

    static let importScript = """
        local src = roster.read(arg[1])
        local out = src:map(function(row) row["E-mail"] = row["E-mail"]:lower(); return row end)
        local og = roster.omnigage { account = "firstbank" }
        local seen = {}
        local imp = og:import(out, {
          unique_primary_phone = true, interval = 0.05,
          mapping = { ["first-name"] = "Given", ["last-name"] = "Family",
                      ["phone1-phone-number"] = "Mobile No", ["email1-email-address"] = "E-mail" },
          hooks = {
            before_upload = function(file) seen[#seen + 1] = "before_upload " .. file.rows .. " " .. file.name
                                           file.name = "firstbank-5.csv" end,
            after_upload = function(up) seen[#seen + 1] = "after_upload " .. up.key:match("[^/]+$") end,
            before_import = function(params) seen[#seen + 1] = "before_import " .. tostring(params.unique_primary_phone)
                                             return { upload = params.upload, mapping = params.mapping, unique_primary_phone = true } end,
            after_import = function(result) seen[#seen + 1] = "after_import " .. result.status .. " " .. result.created end,
          },
        })
        local s = src:stats()
        return imp.status, imp.count_created, imp.count_updated, imp.count_erred, table.concat(imp.mapping, "|"),
               table.concat(seen, "; "), s.read, s.sent, type(imp.id)
        """

    @Test func importRunsUploadS3AndImportStagesAgainstTheSandbox() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeFile(dir, "contacts.csv", Self.contacts)
        let outcome = try await runScript(Self.importScript, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        let imports = await sandbox.omnigageImports()
        let objects = await sandbox.s3Objects()
        await sandbox.stop()

        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        #expect(outcome.values == [
            "completed", 2, 1, 1, "first-name|last-name|phone1-phone-number|email1-email-address",
            "before_upload 4 roster-import.csv; after_upload firstbank-5.csv; before_import true; after_import completed 2",
            4, 4, "string",
        ])
        #expect(imports.count == 1)
        let record = try #require(imports.first)
        #expect((record.countCreated, record.countUpdated, record.countErred) == (2, 1, 1))
        #expect(record.header == ["Given", "Family", "Mobile No", "E-mail"])
        #expect(record.mapping == ["first-name", "last-name", "phone1-phone-number", "email1-email-address"])
        #expect(record.uniquePrimaryPhone)
        #expect(objects.count == 1)
        #expect(objects.first?.key.hasSuffix("/firstbank-5.csv") == true)
    }

    @Test func stagesCanBeCalledOneByOne() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeFile(dir, "contacts.csv", Self.contacts)
        let script = """
            local og = roster.omnigage {}
            local f = io.open(arg[1], "rb"); local size = #f:read("a"); f:close()
            local up = og:create_upload { name = "import-5.csv", type = "text/csv", size = size }
            local sent = og:upload(up, arg[1])
            local imp = og:create_import { upload = up.id, unique_primary_email = true,
                                           mapping = { ["phone1-phone-number"] = "Mobile No", ["first-name"] = "Given" } }
            local first = imp.status
            imp = og:wait(imp.id, { timeout = 10, interval = 0.05 })
            local again = og:get_import(imp.id)
            local results = og:results(imp.id)
            return up.request_method, type(up.request_form_data[1]), sent.bytes, first, imp.status,
                   imp.count_created, again.count_erred, imp.mapping[2] == roster.json.null, type(results)
            """
        let outcome = try await runScript(script, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        await sandbox.stop()
        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        #expect(outcome.values == ["post", "table", .integer(Int64(Self.contacts.utf8.count)), "queued", "completed", 3, 1, true, "table"])
    }

    @Test func vendorRefusalBecomesALuaErrorWithStatusDetailAndRefusedKind() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = """
            local og = roster.omnigage {}
            og:create_upload { name = "a.csv", type = "text/csv", size = 10 }
            """
        let outcome = try await runScript(script, in: dir, sandbox: .running(target(of: sandbox, omnigageSecret: "wrong")))
        await sandbox.stop()
        let error = try #require(outcome.error)
        #expect(error.message.contains("job.lua:2: Omnigage refused POST /uploads (HTTP 401): Invalid API token"))
        #expect(!error.message.contains("wrong"))
        #expect(outcome.failureKind == .refused)
    }

    @Test func missingCredentialsNameTheVariables() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcome = try await runScript("roster.omnigage { account = 'firstbank' }", in: dir, sandbox: .off)
        #expect(outcome.error?.message.hasSuffix("Omnigage credentials missing: set OMNIGAGE_KEY, OMNIGAGE_SECRET (or pass them explicitly)") == true)
        #expect(outcome.failureKind == .configuration)
    }

    @Test func aHookErrorStopsBeforeTheNextStage() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeFile(dir, "contacts.csv", Self.contacts)
        let script = """
            local og = roster.omnigage {}
            og:import(arg[1], { hooks = { before_import = function(st) error("list is closed") end } })
            """
        let outcome = try await runScript(script, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        let imports = await sandbox.omnigageImports()
        let objects = await sandbox.s3Objects()
        await sandbox.stop()
        let message = try #require(outcome.error?.message)
        #expect(message.contains("/job.lua:2: list is closed (before_import hook of script "), "\(message)")
        #expect(message.contains("the job stopped here"))
        #expect(outcome.json.contains(#""error":{"kind":"script","message":"#), "\(outcome.json)")
        #expect(outcome.json.contains(#""stage":"before_import""#))
        // Uploaded, not imported: the rows were not delivered, and the run says so.
        #expect(outcome.json.contains(#""sent":0"#) && outcome.json.contains(#""rejected":4"#))
        #expect(objects.count == 1)
        #expect(imports.isEmpty)
    }
}
