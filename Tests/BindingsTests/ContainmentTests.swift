import Foundation
import Testing
@testable import Bindings
import LuaRuntime
import Sandbox

/// What a sandboxed script cannot see: the vendors' credentials, in the environment or in records.
@Suite struct ContainmentTests {
    static let environment = ["OMNIGAGE_KEY": "k-123", "OMNIGAGE_SECRET": "s-456", "WHISPIR_API_KEY": "w-789",
                              "WHISPIR_USERNAME": "user", "WHISPIR_PASSWORD": "p-000", "MY_SETTING": "visible"]

    func run(_ code: String, sandboxed: Bool) throws -> [LuaValue] {
        let host = try ScriptHost(options: LuaOptions(sandboxed: sandboxed, pluginDirectories: []),
                                  context: RosterContext(logger: .init(label: "t"), environment: Self.environment))
        return try host.state.run(code)
    }

    @Test func credentialsAreInvisibleToSandboxedScriptsAndVisibleWithUnsafe() throws {
        let code = """
            return os.getenv("OMNIGAGE_SECRET"), roster.env("OMNIGAGE_KEY"), roster.env("WHISPIR_PASSWORD"),
                   os.getenv("WHISPIR_API_KEY"), roster.env("MY_SETTING"), os.getenv("MY_SETTING")
            """
        #expect(try run(code, sandboxed: true) == [.nil, .nil, .nil, .nil, "visible", "visible"])
        let unsafe = try run(code, sandboxed: false)
        #expect(unsafe == ["s-456", "k-123", "p-000", "w-789", "visible", "visible"], "\(unsafe)")
    }

    @Test func uploadRecordsCarryNoPolicyOrSignatureYetTheUploadWorks() async throws {
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let content = "Given,Mobile No\nAda,4076341732\n"
        let input = try writeFile(dir, "c.csv", content)
        let script = """
            local og = roster.omnigage {}
            local up = og:create_upload { name = "c.csv", type = "text/csv", size = 32 }
            local text = roster.json.encode(up)
            local sent = og:upload(up, arg[1])
            return text:find("[redacted]", 1, true) ~= nil, text:lower():find("signature\\":\\"[^%[]") == nil, sent.bytes
            """
        let outcome = try await runScript(script, in: dir, arguments: [input], sandbox: .running(target(of: sandbox)))
        await sandbox.stop()
        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        #expect(outcome.values == [true, true, .integer(Int64(content.utf8.count))])
    }
}

/// Reading and writing options are checked: nothing misspelt is ignored, no format is faked.
@Suite struct StrictTableOptionsTests {
    func run(_ code: String, in dir: String) throws -> LuaError? { try scriptError(code, in: dir) }

    @Test func unknownOptionsAndUnwritableFormatsAreErrorsNamingTheFix() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "in.csv", "name\nAnn\n")
        let misspelt = try #require(try run("roster.read((...) .. '/in.csv', { delimeter = ';' })", in: dir))
        #expect(misspelt.message.contains("roster.read: unknown option 'delimeter' (did you mean 'delimiter'?)"))
        let xls = try #require(try run("roster.write(roster.read((...) .. '/in.csv'), (...) .. '/w.xls')", in: dir))
        #expect(xls.message.contains("roster.write: cannot write XLS"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/w.xls"))
        let layout = try #require(try run("roster.write(roster.read((...) .. '/in.csv'), (...) .. '/w.json', { delimiter = ';' })", in: dir))
        #expect(layout.message.contains("delimiter applies to CSV output, not JSON"))
        let encoding = try #require(try run("roster.write(roster.read((...) .. '/in.csv'), (...) .. '/w.csv', { encoding = 'utf8-bom' })", in: dir))
        #expect(encoding.message.contains("unknown encoding \"utf8-bom\" (did you mean \"utf-8-bom\"?)"), "\(encoding.message)")
        let mismatch = try #require(try run("roster.write(roster.read((...) .. '/in.csv'), (...) .. '/w.json', { format = 'csv' })", in: dir))
        #expect(mismatch.message.contains("format 'csv' does not match the extension"))
        let errorsTypo = try #require(try run("roster.write(roster.read((...) .. '/in.csv'), (...) .. '/o.csv', { error = 'e.csv' })", in: dir))
        #expect(errorsTypo.message.contains("roster.write: unknown option 'error' (did you mean 'errors'?)"))
        #expect(try run("roster.write(roster.read((...) .. '/in.csv'), (...) .. '/o.csv', { errors = (...) .. '/e.csv' })", in: dir) == nil)
    }

    @Test func quoteCommentColumnsAndEncodingAreReadingOptions() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "b.csv", "# CoreBank export\nMobile Number;Name;Notes\n'0412 345';'O''Brien';x\n")
        let script = """
            local src = roster.read((...) .. '/b.csv', { comment = '#', quote = "'", encoding = 'latin-1',
                                                         columns = { 'Name', Phone = 'Mobile Number' } })
            local h = src:header()
            assert(#h == 2 and h[1] == 'Name' and h[2] == 'Phone', table.concat(h, ','))
            for row in src:rows() do assert(row.Phone == '0412 345' and row.Name == "O'Brien" and row.Notes == nil) end
            """
        #expect(try run(script, in: dir) == nil)
        let typo = try #require(try run("roster.read((...) .. '/b.csv', { comment = '#', columns = { 'Nmae' } })", in: dir))
        #expect(typo.message.contains("no column \"Nmae\" in the header (did you mean \"Name\"?)"), "\(typo.message)")
        let quote = try #require(try run("roster.read((...) .. '/b.csv', { quote = true })", in: dir))
        #expect(quote.message.contains("quote must be one character"))
        let columns = try #require(try run("roster.read((...) .. '/b.csv', { columns = 'Name' })", in: dir))
        #expect(columns.message.contains("columns must be a table"))
    }

    @Test func headerSkipRaggedAndTheFieldCeilingAreReadingOptions() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "t.csv", "Title\n\nphone,name,opt_out\n1,Ann,no\n2,Bob\n")
        let script = """
            local dir, opts, want = ...
            local src = roster.read(dir .. '/t.csv', load('return ' .. opts)())
            local got = {}
            for row in src:rows() do got[#got + 1] = row.phone .. ':' .. row.opt_out end
            local s = src:stats()
            assert(table.concat(got, ',') == want, table.concat(got, ',') .. ' ~= ' .. want)
            """
        for (opts, want) in [("{ header = 3 }", "1:no"), ("{ skip = 1 }", "1:no"), ("{ header = 3, ragged = 'pad' }", "1:no,2:")] {
            let host = try ScriptHost(options: LuaOptions(pluginDirectories: []), context: RosterContext(logger: .init(label: "t"), environment: [:]))
            _ = try host.state.run(script, name: "@job.lua", arguments: [dir, opts, want])
        }
        // A padded record is let through with its warning: in ctx.warnings, src:stats() and src:issues().
        let warned = """
            local src = roster.read((...) .. '/t.csv', { header = 3, ragged = 'pad' })
            local seen = {}
            for row in src:map(function(row, ctx) seen[#seen + 1] = ctx.warnings and ctx.warnings[1] or '-'; return row end):rows() do end
            assert(seen[1] == '-' and seen[2] == '2 field(s), the header has 3: padded with empty values (ragged = "pad")', seen[2])
            assert(src:stats().warned == 1)
            local issues = src:issues()
            assert(#issues == 1 and issues[1].outcome == 'warning' and issues[1].row == 2 and issues[1].line == 5, #issues)
            assert(issues[1].warnings[1] == seen[2])
            """
        #expect(try run(warned, in: dir) == nil)
        let badHeader = try #require(try run("roster.read((...) .. '/t.csv', { header = 0 })", in: dir))
        #expect(badHeader.message.contains("header must be true, false or the 1-based row"))
        let badRagged = try #require(try run("roster.read((...) .. '/t.csv', { ragged = 'fill' })", in: dir))
        #expect(badRagged.message.contains("ragged must be \"reject\" (the default) or \"pad\""))
        let badCeiling = try #require(try run("roster.read((...) .. '/t.csv', { max_field_bytes = 10 })", in: dir))
        #expect(badCeiling.message.contains("max_field_bytes must be a whole number of bytes, at least 1024"))
    }
}
