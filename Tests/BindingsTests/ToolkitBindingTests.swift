import Foundation
import LuaRuntime
import Testing
@testable import Bindings

/// The toolkit from Lua: values or nil and a reason, and dedupe as a lazy, accounted stage.
@Suite struct ToolkitBindingTests {
    func run(_ code: String, in dir: String = "/tmp") throws -> LuaError? { try scriptError(code, in: dir) }

    @Test func phoneHelpersReturnAValueOrNilAndAReason() throws {
        let script = """
            assert(roster.phone.e164("+44 7911 123456", "US") == "+447911123456")
            assert(roster.phone.e164(14076341732, "US") == "+14076341732")      -- digits a spreadsheet stored as a number
            local none, why = roster.phone.e164("12", "US")
            assert(none == nil and why:find('"12"', 1, true), why)
            local p = roster.phone.parse("0412 345 678", "AU")
            assert(p.e164 == "+61412345678" and p.type == "mobile" and p.region == "AU" and p.valid == true)
            assert(roster.phone.format("+14076341732", "national") == "(407) 634-1732")
            assert(roster.phone.format("07911123456", "international", "GB") == "+44 7911 123456")
            """
        #expect(try run(script) == nil)
        #expect(try run("roster.phone.format('1', 'nationl')")?.message.contains("style must be \"e164\", \"national\" or \"international\"") == true)
        #expect(try run("roster.phone.e164('1', 'USA')")?.message.contains("two-letter ISO 3166 code") == true)
    }

    @Test func emailTextAndDateHelpers() throws {
        let script = """
            assert(roster.email.normalize("  Ann@Bücher.Example ") == "Ann@xn--bcher-kva.example")
            local ok, why = roster.email.valid("ann@example")
            assert(ok == false and why:find("dot"), why)
            assert(roster.email.valid("ann+news@mail.example.com") == true)
            assert(roster.text.upper("straße") == "STRASSE" and roster.text.lower("ÉCOLE") == "école")
            assert(roster.text.title("ANN-MARIE O'NEIL") == "Ann-Marie O'Neil")
            assert(roster.text.trim("\u{A0} Ann   Lee \u{200B}") == "Ann Lee")
            assert(roster.text.ascii("Zoë Łukasz") == "Zoe Lukasz")
            local none, reason = roster.text.ascii("李")
            assert(none == nil and reason:find("李"), reason)
            local n = roster.text.split_name("Dr. Ann-Marie O'Neil")
            assert(n.prefix == "Dr." and n.first == "Ann-Marie" and n.last == "O'Neil" and n.suffix == nil)
            assert(roster.date.parse("03/04/2024", { day_first = true }) == "2024-04-03")
            assert(roster.date.parse("03/04/2024", { day_first = false }) == "2024-03-04")
            local d, r = roster.date.parse("03/04/2024")
            assert(d == nil and r:find("day_first"), r)
            assert(roster.date.parse("5 Apr 24", { formats = { "%d %b %y" } }) == "2024-04-05")
            assert(roster.date.parse("2023-02-29") == nil)
            """
        #expect(try run(script) == nil)
        #expect(try run("roster.date.parse('1/2/2024', { dayfirst = true })")?.message.contains("did you mean 'day_first'") == true)
    }

    /// roster.text.upper/lower map ASCII and Latin-1 in C: each of U+0000-U+00FF, alone and in a
    /// word, must come out as Swift's Unicode mapping does; other text goes to the Unicode path.
    @Test func caseMappingMatchesUnicodeForLatin1AndBeyond() throws {
        func lua(_ text: String) -> String { "\"" + text.utf8.map { "\\\($0)" }.joined() + "\"" }
        var cases: [String] = []
        var words = (0 ... 0xFF).compactMap(Unicode.Scalar.init).map { String(Character($0)) }
        words += ["Ærøskøbing", "ÿÿ", "straße", "µ-Kraków", "Łódź", "ǆemal", "ﬀ", "ΐ", "İstanbul", "e\u{301}", "", "123 ABC abc", "Ça\u{0}va"]
        for w in words {
            for probe in [w, "aÀ" + w + "zÞ"] {
                cases.append("{ \(lua(probe)), \(lua(probe.uppercased())), \(lua(probe.lowercased())) }")
            }
        }
        let script = """
            local bad = {}
            for _, c in ipairs({ \(cases.joined(separator: ",\n")) }) do
              local up, low = roster.text.upper(c[1]), roster.text.lower(c[1])
              if up ~= c[2] then bad[#bad + 1] = "upper(" .. c[1] .. ") = " .. up end
              if low ~= c[3] then bad[#bad + 1] = "lower(" .. c[1] .. ") = " .. low end
            end
            assert(#bad == 0, table.concat(bad, "; "))
            assert(roster.text.upper(12) == "12")
            """
        #expect(try run(script) == nil)
        // A bad argument still names the script's line, though a C function calls the Swift one.
        let message = try run("local x = 1\nroster.text.upper({})")?.message ?? ""
        #expect(message.hasPrefix("job.lua:2:") && message.contains("text.upper"), "\(message)")
    }

    @Test func dedupeSkipsLaterDuplicatesNamingTheRowKept() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "c.csv", "Name,Phone\nAnn,1\nBob,2\nAnn again,1\nNo phone,\nAlso none,\nBob again,2\n")
        let script = """
            local src = roster.read((...) .. '/c.csv')
            local names = {}
            for row in roster.dedupe(src, "Phone"):rows() do names[#names + 1] = row.Name end
            assert(table.concat(names, "|") == "Ann|Bob|No phone|Also none", table.concat(names, "|"))
            local s = src:stats()
            assert(s.read == 6 and s.sent == 4 and s.skipped == 2 and s.balanced)
            local issues = src:issues()
            assert(issues[1].row == 3 and issues[1].reason == "duplicate of row 1", issues[1].reason)
            assert(issues[2].row == 6 and issues[2].reason == "duplicate of row 2")

            local last = {}
            for row in roster.dedupe(roster.read((...) .. '/c.csv'), { "Phone" }, { keep = "last" }):rows() do last[#last + 1] = row.Name end
            assert(table.concat(last, "|") == "Ann again|No phone|Also none|Bob again", table.concat(last, "|"))

            local byFunction = {}
            local lower = roster.read((...) .. '/c.csv')
            for row in roster.dedupe(lower, function(row) return row.Name:match("^%a+") end):rows() do byFunction[#byFunction + 1] = row.Name end
            assert(table.concat(byFunction, "|") == "Ann|Bob|No phone|Also none", table.concat(byFunction, "|"))
            """
        #expect(try run(script, in: dir) == nil)
        let typo = try #require(try run("roster.dedupe(roster.read((...) .. '/c.csv'), 'Phon')", in: dir))
        #expect(typo.message.contains("no column \"Phon\"") && typo.message.contains("did you mean \"Phone\"?"))
        let staged = try #require(try run("roster.dedupe(roster.read((...) .. '/c.csv'):map(function(r) return r end), 'Phone', { keep = 'last' })", in: dir))
        #expect(staged.message.contains("dedupe the source before map/filter"))
        let keep = try #require(try run("roster.dedupe(roster.read((...) .. '/c.csv'), 'Phone', { kep = 'last' })", in: dir))
        #expect(keep.message.contains("unknown option 'kep' (did you mean 'keep'?)"))
    }
}
