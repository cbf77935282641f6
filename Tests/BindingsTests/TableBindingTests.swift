import Foundation
import LuaRuntime
import Testing
@testable import Bindings

/// The seed's Whispir CSV: its third line has one field too many.
let seedCSV = """
firstName,lastName,workMobilePhone1,workCountry,timezone,workEmailAddress1
John,Wick,61423456789,Australia,Australia/Melbourne,john@example.com
Jane,Doe,61498765432,Australia,Australia/Sydney,jane@example.com,extra
Ann,Lee,61411111111,Australia,Australia/Perth,ann@example.com

"""

@Suite struct TableBindingTests {
    func run(_ code: String, _ args: [String]) throws -> [LuaValue] {
        try makeHost().state.run(code, name: "@t.lua", arguments: args)
    }

    @Test func rowsAreKeyedByHeaderWithRecordAndLine() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", seedCSV)
        let r = try run("""
            local src = roster.read(...)
            local out = {}
            for row, n, line in src:rows() do out[#out + 1] = row.firstName .. '@' .. n .. ':' .. line end
            local st = src:stats()
            local issue = src:issues()[1]
            return table.concat(out, ' '), st.read, st.sent, st.rejected, st.balanced, issue.row, issue.line, issue.reason, src:header()[6]
            """, [input])
        #expect(r[0] == "John@1:2 Ann@3:4")
        #expect(Array(r[1 ... 4]) == [3, 2, 1, true])
        #expect(Array(r[5 ... 6]) == [2, 3])
        #expect(r[7].stringValue?.contains("7 fields") == true || r[7].stringValue?.contains("more fields") == true)
        #expect(r[8] == "workEmailAddress1")
    }

    @Test func untransformedWriteCopiesAndAccountsEveryRecord() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", seedCSV)
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let errors = (dir as NSString).appendingPathComponent("errors.csv")
        let r = try run("""
            local src = roster.read(...)
            local f = roster.write(src, select(2, ...), { errors = select(3, ...) })
            local st = src:stats()
            return f.rows, st.read, st.sent, st.rejected
            """, [input, output, errors])
        #expect(r == [2, 3, 2, 1])
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.hasPrefix("firstName,lastName,workMobilePhone1,workCountry,timezone,workEmailAddress1\r\nJohn,Wick,"))
        #expect(written.contains("Ann,Lee"))
        #expect(!written.contains("Jane"))
        let errorText = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(errorText.contains("Jane,Doe,'61498765432") == false)  // digits are not formulas
        #expect(errorText.contains("Jane,Doe,61498765432,Australia,Australia/Sydney,jane@example.com,2,3,rejected,"))
    }

    @Test func mapSkipsRejectsAndFansOutWithReasonsNamingRowAndLine() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", "name,phone\nAnn,4076341732\nBo,\nCy,x\nDi,5551234567\n")
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let r = try run("""
            local src = roster.read((...))
            local out = src:map(function(row, ctx)
              if row.phone == '' then return nil, 'no phone' end
              if row.phone == 'x' then error('bad phone ' .. row.phone) end
              if row.name == 'Di' then
                return { { name = 'Di', phone = '+1' .. row.phone }, { name = 'Di2', phone = '+1' .. row.phone } }
              end
              row.phone = '+1' .. row.phone
              row.source_line = ctx.line
              return row
            end, 'transform')
            local f = roster.write(out, select(2, ...))
            local st = src:stats()
            local issues = src:issues()
            return f.rows, st.read, st.sent, st.skipped, st.rejected, issues[1].reason, issues[2].reason
            """, [input, output])
        // Ann, Di and Di2 written; 4 records read: 2 sent (Di fanned out), Bo skipped, Cy rejected.
        #expect(Array(r[0 ... 4]) == [3, 4, 2, 1, 1])
        #expect(r[5] == "no phone")
        #expect(r[6] == "t.lua:4: bad phone x (transform, row 3, line 4)")
        #expect(try String(contentsOfFile: output, encoding: .utf8)
            == "name,phone,source_line\r\nAnn,+14076341732,2\r\nDi,+15551234567,\r\nDi2,+15551234567,\r\n")
    }

    @Test func filterSkipsWithReason() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", "name,country\nAnn,US\nBo,AU\n")
        let r = try run("""
            local src = roster.read(...):filter(function(row) return row.country == 'US', 'not in the US' end)
            local names = {}
            for row in src:rows() do names[#names + 1] = row.name end
            local st = src:stats()
            return table.concat(names, ','), st.skipped, src:issues()[1].reason
            """, [input])
        #expect(r == ["Ann", 1, "not in the US"])
    }

    @Test func laterRowWithNewColumnIsRejectedNotCut() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", "name\nAnn\nBo\n")
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let r = try run("""
            local src = roster.read((...))
            local f = roster.write(src:map(function(row) if row.name == 'Bo' then row.vip = 'yes' end; return row end), select(2, ...))
            return f.rows, src:stats().rejected, src:issues()[1].reason
            """, [input, output])
        #expect(Array(r[0 ... 1]) == [1, 1])
        #expect(r[2].stringValue?.hasPrefix("column(s) vip not in the output header (name)") == true)
    }

    @Test func endlessTransformRejectsThatRecordNamingLineAndRowAndTheRunGoesOn() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", "name\nAnn\nBo\nCy\n")
        let host = try ScriptHost(options: LuaOptions(instructionBudget: 1_000_000, pluginDirectories: []),
                                  context: RosterContext(logger: .init(label: "t"), environment: [:]))
        let result = try host.state.run("""
            local src = roster.read((...))
            local names = {}
            for r in src:map(function(row)
              if row.name == 'Bo' then while true do end end
              return row
            end):rows() do names[#names + 1] = r.name end
            local s = src:stats()
            return table.concat(names, ','), s.read, s.sent, s.rejected, src:issues()[1].reason
            """, name: "@job.lua", arguments: [input])
        #expect(Array(result.prefix(4)) == ["Ann,Cy", 3, 2, 1])
        let reason = try #require(result[4].stringValue)
        #expect(reason.contains("job.lua:4: instruction budget exceeded"))
        #expect(reason.hasSuffix("(map, row 2, line 3)"))
    }

    @Test func writesAListOfRowsAsJSONAndKeepsSourceColumnOrder() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", "zeta,alpha\n1,2\n")
        let output = (dir as NSString).appendingPathComponent("out.json")
        _ = try run("""
            local rows = {}
            for row in roster.read((...)):rows() do row.added = 'x'; rows[#rows + 1] = row end
            rows[#rows + 1] = { zeta = 3, alpha = true }
            roster.write(rows, select(2, ...))
            """, [input, output])
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("\"zeta\""))
        let zeta = try #require(text.range(of: "zeta")), alpha = try #require(text.range(of: "alpha"))
        #expect(zeta.lowerBound < alpha.lowerBound)
        #expect(text.contains("\"added\""))
    }

    @Test func readErrorsAreClear() throws {
        let error = try #require(throws: LuaError.self) { try run("roster.read('/nonexistent/contacts.csv')", []) }
        #expect(error.message.hasPrefix("t.lua:1: "))
        #expect(error.message.contains("/nonexistent/contacts.csv"))
        let input = try writeFile(try makeTemporaryDirectory(), "x.csv", "a\n1\n")
        let misuse = try #require(throws: LuaError.self) { try run("roster.read((...)).rows()", [input]) }
        #expect(misuse.message.contains("call it with ':'"))
    }
}
