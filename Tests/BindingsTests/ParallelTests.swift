import Foundation
import LuaRuntime
import Testing
@testable import Bindings

/// `parallel = N`: the same output, accounting and errors file as one state, in input order.
@Suite struct ParallelTests {
    func run(_ code: String, _ args: [String]) throws -> [LuaValue] {
        try makeHost().state.run(code, name: "@t.lua", arguments: args)
    }

    /// 3,000 records: some skipped, some rejected by an error in the stage, some fanned out, some
    /// rejected by the reader (a short row) between them.
    func input(in dir: String) throws -> String {
        var text = "Name,Email,Phone\n"
        for i in 1 ... 3000 {
            if i % 250 == 0 { text += "short row \(i)\n"; continue }
            text += "User \(i), U\(i)@Example.COM ,(555) 010-\(String(format: "%04d", i))\n"
        }
        return try writeFile(dir, "in.csv", text)
    }

    /// A transform with upvalues (a helper, a lookup table, a library function) and a global helper.
    let script = """
        local args = { ... }
        local lower, gsub = string.lower, string.gsub
        local prefix = { country = "+1" }
        local function digits(s) return (gsub(s, "%D", "")) end
        function clean_email(e) return lower((e:gsub("^%s+", ""):gsub("%s+$", ""))) end
        local src = roster.read(args[1])
        local out = src:map(function(row, ctx)
          local n = ctx.row
          if n % 7 == 0 then return nil, "multiple of seven" end
          if n % 11 == 0 then error("eleven divides " .. n) end
          row.Email = clean_email(row.Email)
          row.Phone = prefix.country .. digits(row.Phone)
          if n % 13 == 0 then return { row, { Name = row.Name .. " (copy)", Email = row.Email, Phone = row.Phone } } end
          return row
        end, { name = "clean", parallel = tonumber(args[4]) })
        local f = roster.write(out, args[2], { errors = args[3] })
        local st = src:stats()
        return f.rows, st.read, st.sent, st.skipped, st.rejected
        """

    /// Workers take batches as they become free, so a slow batch finishes after later ones: the
    /// output is still in input order, and the other workers went on meanwhile.
    @Test func aSlowBatchKeepsItsPlaceInTheOutput() throws {
        let dir = try makeTemporaryDirectory()
        var text = "Name\n"
        for i in 1 ... 4000 { text += "User \(i)\n" }
        let path = try writeFile(dir, "in.csv", text)
        let out = (dir as NSString).appendingPathComponent("out.csv")
        let script = """
            local src = roster.read((...))
            local out = src:map(function(row, ctx)
              -- record 1 runs in the script's state (it fixes the columns); the workers' first batch
              -- (records 2-513) is slow and comes back after the ones sent after it
              if ctx.row == 2 then local t = os.clock() + 0.3; while os.clock() < t do end end
              row.Name = row.Name .. "!"
              return row
            end, { parallel = 3 })
            return roster.write(out, select(2, ...)).rows
            """
        #expect(try run(script, [path, out]) == [.integer(4000)])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\r\n")
        #expect(lines.count == 4001)
        #expect(lines.dropFirst().enumerated().allSatisfy { $0.element == "User \($0.offset + 1)!" })
    }

    @Test func parallelStatesWriteWhatOneStateWrites() throws {
        let dir = try makeTemporaryDirectory()
        let path = try input(in: dir)
        func file(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
        let one = try run(script, [path, file("one.csv"), file("one-errors.csv"), "1"])
        let three = try run(script, [path, file("three.csv"), file("three-errors.csv"), "3"])
        #expect(one == three)
        #expect(one[1] == 3000)
        let skipped = (1 ... 3000).filter { $0 % 7 == 0 && $0 % 250 != 0 }.count  // every 250th is a short row
        #expect(one[3] == .integer(Int64(skipped)))
        #expect(try String(contentsOfFile: file("one.csv"), encoding: .utf8) == String(contentsOfFile: file("three.csv"), encoding: .utf8))
        let errors = try String(contentsOfFile: file("three-errors.csv"), encoding: .utf8)
        #expect(try errors == String(contentsOfFile: file("one-errors.csv"), encoding: .utf8))
        // Reader rejections keep their place among the stage's, in input order.
        let lines = errors.split(separator: "\r\n")
        let short = try #require(lines.firstIndex { $0.hasPrefix("short row 250") })
        #expect(lines[short - 1].contains("User 245") && lines[short - 1].contains("multiple of seven"))
        #expect(lines[short + 1].contains("User 252") && lines[short + 1].contains("multiple of seven"))
        #expect(errors.contains("t.lua:10: eleven divides 11"))
        let written = try String(contentsOfFile: file("three.csv"), encoding: .utf8)
        #expect(written.contains("User 13 (copy),u13@example.com,+15550100013"))
    }

    /// Library functions travel by name (`roster.text.upper` is also reachable as
    /// `package.loaded.roster.text.upper`; Lua's hash order differs per state, so try several).
    @Test func libraryFunctionsResolveInEveryWorker() throws {
        let dir = try makeTemporaryDirectory()
        let path = try writeFile(dir, "in.csv", "City,Phone\n" + String(repeating: "kraków,(202) 555-0143\n", count: 600))
        for attempt in 1 ... 5 {
            let output = (dir as NSString).appendingPathComponent("out-\(attempt).csv")
            let r = try run("""
                local upper, e164 = roster.text.upper, roster.phone.e164
                local out = roster.read((...)):map(function(row)
                  row.City = upper(row.City)
                  row.Phone = e164(row.Phone, "US")
                  return row
                end, { parallel = 2 })
                return roster.write(out, select(2, ...)).rows
                """, [path, output])
            #expect(r == [600])
            let text = try String(contentsOfFile: output, encoding: .utf8)
            #expect(text.hasSuffix("KRAKÓW,+12025550143\r\n"))
        }
    }

    @Test func aValueThatCannotBeCopiedIsNamedWithTheFix() throws {
        let dir = try makeTemporaryDirectory()
        let path = try writeFile(dir, "in.csv", "Name\nAnn\nBob\n")
        let output = (dir as NSString).appendingPathComponent("out.csv")
        let error = try #require(throws: LuaError.self) {
            try run("""
                local src = roster.read(...)
                local out = src:map(function(row) row.Seen = tostring(src:stats().read) return row end, { parallel = 2 })
                roster.write(out, select(2, ...))
                """, [path, output])
        }
        #expect(error.message.contains("upvalue 'src'"))
        #expect(error.message.contains("parallel = 1"))
    }

    @Test func badParallelOptionsAreErrors() throws {
        let dir = try makeTemporaryDirectory()
        let path = try writeFile(dir, "in.csv", "Name\nAnn\n")
        let zero = try #require(throws: LuaError.self) { try run("roster.read(...):map(function(r) return r end, { parallel = 0 })", [path]) }
        #expect(zero.message.contains("parallel must be a whole number"))
        let typo = try #require(throws: LuaError.self) { try run("roster.read(...):map(function(r) return r end, { paralel = 2 })", [path]) }
        #expect(typo.message.contains("paralel"))
    }
}
