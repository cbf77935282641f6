import Logging
import LuaRuntime
import Testing
@testable import Bindings

@Suite struct RosterModuleTests {
    @Test func rosterIsAGlobalAndARequirableModule() throws {
        let host = try makeHost()
        #expect(try host.state.run("return require('roster') == roster, type(roster.log.info)") == [true, "function"])
    }

    @Test func envReadsTheInjectedEnvironmentOnly() throws {
        let host = try makeHost(environment: ["OMNIGAGE_ACCOUNT_KEY": "firstbank"])
        #expect(try host.state.run("return roster.env('OMNIGAGE_ACCOUNT_KEY'), roster.env('NOPE')") == ["firstbank", .nil])
        #expect(throws: LuaError.self) { try host.state.run("roster.env()") }
    }

    @Test func logRespectsLevelsAndJoinsArguments() throws {
        let collector = LogCollector()
        let host = try makeHost(level: .warning, collector: collector)
        _ = try host.state.run("roster.log.info('hidden'); roster.log.warn('rows', 3, nil, true); roster.log.error('bad')")
        #expect(collector.all == ["warning: rows 3 nil true", "error: bad"])
        let verbose = LogCollector()
        _ = try makeHost(level: .debug, collector: verbose).state.run("roster.log.debug('shown')")
        #expect(verbose.all == ["debug: shown"])
    }
}

@Suite struct JSONCodecTests {
    let host: ScriptHost
    init() throws { host = try makeHost() }

    func run(_ code: String) throws -> [LuaValue] { try host.state.run(code, name: "=json") }

    @Test func encodesObjectsWithSortedKeysAndArrays() throws {
        #expect(try run("return roster.json.encode({ b = 1, a = { 1, 2.5, 'x' }, c = true, d = roster.json.null })")
            == [#"{"a":[1,2.5,"x"],"b":1,"c":true,"d":null}"#])
    }

    @Test func escapesStringsAndKeepsUnicode() throws {
        #expect(try run(#"return roster.json.encode({ s = 'a"b\\c\n\t\1 Zoë' })"#) == [#"{"s":"a\"b\\c\n\t\u0001 Zoë"}"#])
    }

    @Test func decodesIntegersAndFloatsDistinctly() throws {
        #expect(try run(#"local t = roster.json.decode('[9223372036854775807, 0.1, 1e2, -0, 3]') return math.type(t[1]), t[1], t[2], math.type(t[3]), math.type(t[5])"#)
            == ["integer", .integer(Int64.max), 0.1, "float", "integer"])
    }

    @Test func roundTripsEmptyArraysObjectsAndNull() throws {
        #expect(try run(#"return roster.json.encode(roster.json.decode('{"a":[],"b":{},"c":null,"d":[{}]}'))"#)
            == [#"{"a":[],"b":{},"c":null,"d":[{}]}"#])
        #expect(try run("return roster.json.encode(roster.json.array({})), roster.json.encode({})") == ["[]", "{}"])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try run(#"return roster.json.decode('"\\u00e9\\ud83d\\ude00\\n\\/"')"#) == ["é😀\n/"])
    }

    @Test func decodeErrorsNameLineAndColumn() throws {
        let error = try #require(throws: LuaError.self) { try run("return roster.json.decode('{\\n  \"a\": tru }')") }
        #expect(error.message == "json:1: roster.json.decode: invalid literal (expected true) at line 2, column 11")
        #expect(throws: LuaError.self) { try run("return roster.json.decode('[1,]')") }
        #expect(throws: LuaError.self) { try run("return roster.json.decode('01')") }
        #expect(throws: LuaError.self) { try run("return roster.json.decode('\"\\255\"')") }
    }

    @Test func encodeRefusesWhatJSONCannotHold() throws {
        #expect(throws: LuaError.self) { try run("return roster.json.encode({ f = print })") }
        #expect(throws: LuaError.self) { try run("return roster.json.encode(0/0)") }
        #expect(throws: LuaError.self) { try run("local t = {}; t.t = t; return roster.json.encode(t)") }
        #expect(throws: LuaError.self) { try run("return roster.json.encode({ [true] = 1 })") }
    }

    @Test func prettyOutputIndents() throws {
        #expect(try run("return roster.json.encode({ a = { 1 } }, { indent = true })") == ["{\n  \"a\": [\n    1\n  ]\n}"])
    }
}

@Suite struct PluginCatalogTests {
    @Test func listsPluginsAndReportsBrokenOnesWithoutFailing() throws {
        let dir = try makeTemporaryDirectory()
        try writeFile(dir, "firstbank/init.lua", "return { name = 'firstbank', version = '1.2.0', description = 'First Bank nightly import' }")
        try writeFile(dir, "broken.lua", "return {\n  name = \n")
        try writeFile(dir, "notatable.lua", "return 42")
        try writeFile(dir, "README.md", "not a plugin")
        let listings = PluginCatalog.list(directories: [dir], options: LuaOptions(pluginDirectories: [dir]),
                                          context: RosterContext(logger: Logger(label: "t"), environment: [:]))
        #expect(listings.map(\.name) == ["broken", "firstbank", "notatable"])
        #expect(listings[1].version == "1.2.0")
        #expect(listings[1].description == "First Bank nightly import")
        #expect(listings[1].error == nil)
        #expect(listings[0].error?.contains("broken.lua:3:") == true)
        #expect(listings[2].error == "plugin did not return a table")
    }

    @Test func pluginDirectoriesComeInDocumentedOrder() {
        let dirs = ScriptHost.pluginDirectories(flags: ["/a", "plugins"], environment: ["ROSTER_PLUGIN_PATH": "/b::/c"])
        #expect(dirs == ["plugins", "/a", "/b", "/c"])
    }
}

@Suite struct DeepValueTests {
    @Test func deeplyNestedJSONDecodesAndEncodesWithoutOverflowingTheStack() throws {
        let host = try makeHost()
        let deep = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        #expect(try host.state.run("return roster.json.encode(roster.json.decode(...))", arguments: [deep]) == [.string(deep)])
    }
}
