import Foundation
import LuaRuntime
import Testing
@testable import Bindings

/// The byte row path (fields from the reader's buffer to Lua and back to the writer, no strings
/// between): quoted fields, doubled quotes, line breaks inside quotes, bytes that are not UTF-8,
/// and values of every type a transform may return.
@Suite struct RowPathTests {
    func run(_ code: String, _ args: [String]) throws -> [LuaValue] {
        try makeHost().state.run(code, name: "@t.lua", arguments: args)
    }

    @Test func quotedFieldsReachLuaUnescapedAndAreWrittenBackQuoted() throws {
        let dir = try makeTemporaryDirectory()
        let input = (dir as NSString).appendingPathComponent("in.csv")
        var bytes = Array("Name,Note,Phone\r\n\"Ann \"\"Nan\"\" Lee\",\"line one\nline two\",\"1,2\"\r\n".utf8)
        bytes += Array("Bob,\"".utf8) + [0xFF, 0xFE] + Array("\",3\r\n".utf8)   // not UTF-8: rejected, never repaired
        bytes += Array("Cy,plain,4\r\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let r = try run("""
            local seen = {}
            local src = roster.read(..., { encoding = "utf-8" })  -- else the sniffer reads it as Windows-1252
            local out = src:map(function(row)
              seen[#seen + 1] = row.Name .. "|" .. row.Note .. "|" .. row.Phone
              row.Len = #row.Name        -- a number
              row.Vip = row.Name == "Cy" -- a boolean
              row.Ratio = 0.5            -- a float
              return row
            end)
            local f = roster.write(out, select(2, ...))
            local st = src:stats()
            return table.concat(seen, "\\n"), f.rows, st.read, st.sent, st.rejected, src:issues()[1].reason
            """, [input, output])
        #expect(r[0] == "Ann \"Nan\" Lee|line one\nline two|1,2\nCy|plain|4")
        #expect(Array(r[1 ... 4]) == [2, 3, 2, 1])
        #expect(r[5].stringValue?.contains("UTF-8") == true)
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written == "Name,Note,Phone,Len,Ratio,Vip\r\n\"Ann \"\"Nan\"\" Lee\",\"line one\nline two\",\"1,2\",13,0.5,false\r\nCy,plain,4,2,0.5,true\r\n")
    }

    @Test func aValueOfAnotherTypeOrAnUnknownColumnRejectsOnlyItsRecord() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", "Name,City\nAnn,Oslo\nBob,Rome\nCy,Lima\n")
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let r = try run("""
            local src = roster.read(...)
            local out = src:map(function(row)
              if row.Name == "Bob" then row.City = { "not", "text" } end
              if row.Name == "Cy" then row.Citty = "typo" end
              return row
            end)
            local f = roster.write(out, select(2, ...))
            local issues = src:issues()
            return f.rows, #issues, issues[1].reason, issues[2].reason
            """, [input, output])
        #expect(Array(r[0 ... 1]) == [1, 2])
        #expect(r[2].stringValue?.contains("column 'City' holds a table") == true)
        #expect(r[3].stringValue?.contains("Citty not in the output header") == true)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "Name,City\r\nAnn,Oslo\r\n")
    }

    /// Values read back by column name: a name longer than Lua interns (40 bytes), a cleared value,
    /// a boolean, a number, and a source column the first row dropped (a projection, not an error).
    @Test func rowsAreReadBackByColumnName() throws {
        let dir = try makeTemporaryDirectory()
        let long = "Preferred contact channel of this customer, if any".replacingOccurrences(of: ",", with: ";")  // 50 bytes
        let input = try writeFile(dir, "in.csv", "Name,\(long),City,Note\nAnn,sms,Oslo,x\nBob,email,Rome,y\nCy,call,Lima,z\nDi,sms,Nice,w\n")
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let r = try run("""
            local src = roster.read(...)
            local out = src:map(function(row)
              if row.Name == "Ann" then row.Note = nil end    -- the first row drops Note from the output
              if row.Name == "Bob" then row.City = nil end    -- a cleared value is written empty
              if row.Name == "Cy" then row.City = false end
              if row.Name == "Di" then row.City = 7 end
              return row
            end)
            local f = roster.write(out, select(2, ...))
            return f.rows, #src:issues()
            """, [input, output])
        #expect(r == [4, 0])
        #expect(try String(contentsOfFile: output, encoding: .utf8)
                == "Name,\(long),City\r\nAnn,sms,Oslo\r\nBob,email,\r\nCy,call,false\r\nDi,sms,7\r\n")
    }

    /// A fan-out past a million rows for one record rejects that record with a reason; the run goes on.
    @Test func aHugeFanOutRejectsOnlyItsRecord() throws {
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(dir, "in.csv", "Name\nAnn\nBob\n")
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let r = try run("""
            local src = roster.read(...)
            local out = src:map(function(row)
              if row.Name ~= "Ann" then return row end
              local many = {}
              for i = 1, 1000001 do many[i] = { Name = "x" } end
              return many
            end, "explode")
            local f = roster.write(out, select(2, ...))
            return f.rows, src:issues()[1].reason
            """, [input, output])
        #expect(r[0] == 1)
        #expect(r[1].stringValue?.hasPrefix("explode returned more rows for one record than the Lua stack holds") == true, "\(r[1])")
        #expect(r[1].stringValue?.hasSuffix("(explode, row 1, line 2)") == true, "\(r[1])")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "Name\r\nBob\r\n")
    }
}
