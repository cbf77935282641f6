import Foundation
import Testing
@testable import LuaRuntime

@Suite struct LuaErrorTests {
    @Test func runtimeErrorNamesFileAndLineWithTraceback() throws {
        let dir = try makeTemporaryDirectory()
        let script = try writeFile(dir, "customer.lua", "local row = {}\n\nlocal x = row.name.first\n")
        let state = try LuaState()
        let error = try #require(throws: LuaError.self) { try state.runScript(path: script) }
        #expect(error.kind == .runtime)
        // Lua shortens long chunk names from the left (LUA_IDSIZE), so compare the tail.
        #expect(error.message.hasSuffix("customer.lua:3: attempt to index a nil value (field 'name')"))
        #expect(error.traceback?.contains("customer.lua:3: in main chunk") == true)
    }

    @Test func syntaxErrorNamesLine() throws {
        let dir = try makeTemporaryDirectory()
        let script = try writeFile(dir, "bad.lua", "local a = 1\nlocal = 2\n")
        let state = try LuaState()
        let error = try #require(throws: LuaError.self) { try state.runScript(path: script) }
        #expect(error.kind == .syntax)
        #expect(error.message.hasSuffix("bad.lua:2: <name> expected near '='"))
    }

    @Test func missingScriptIsAFileError() throws {
        let state = try LuaState()
        let error = try #require(throws: LuaError.self) { try state.runScript(path: "/nonexistent/x.lua") }
        #expect(error.kind == .file)
        #expect(error.message == "cannot open /nonexistent/x.lua: no such file")
    }

    @Test func swiftErrorIsCaughtByPcallInLuaAsAnObjectThatReadsLikeItsMessage() throws {
        let state = try LuaState()
        state.register("fail") { _ in throw Boom() }
        let result = try state.run("""
            local ok, err = pcall(function() fail() end)
            return ok, tostring(err), err.message, err:match('boom %a+'), 'x: ' .. err, type(err), 'still running'
            """, name: "=test")
        #expect(result == [false, "test:1: boom from Swift", "test:1: boom from Swift", "boom from", "x: test:1: boom from Swift",
                           "userdata", "still running"])
        // Called straight from pcall (a C function) there is no Lua position to name, as with `error`.
        #expect(try state.run("local ok, e = pcall(fail); return tostring(e)", name: "=test") == ["boom from Swift"])
    }

    @Test func swiftErrorKeepsItsTypeThroughLuaAndARethrow() throws {
        let state = try LuaState()
        state.register("fail") { _ in throw Boom() }
        // Caught in Lua, re-raised with error(): Swift still gets the Boom value back, by type.
        let error = try #require(throws: LuaError.self) {
            try state.run("local ok, e = pcall(fail)\nerror(e)", name: "@job.lua")
        }
        #expect(error.underlying is Boom)
        #expect(error.message == "boom from Swift")
        // A plain Lua error carries nothing.
        let plain = try #require(throws: LuaError.self) { try state.run("error('boom from Swift')", name: "@job.lua") }
        #expect(plain.underlying == nil)
    }

    @Test func swiftErrorUncaughtSurfacesAsLuaErrorInSwift() throws {
        let state = try LuaState()
        state.register("fail") { _ in throw Boom() }
        let error = try #require(throws: LuaError.self) { try state.run("local a = 1\nfail()", name: "@job.lua") }
        #expect(error.message == "job.lua:2: boom from Swift")
        // The state stays usable after the error.
        #expect(try state.run("return 40 + 2") == [.integer(42)])
    }

    @Test func luaErrorInNestedCallbackKeepsItsPosition() throws {
        let state = try LuaState()
        state.registerCallbackRunner()
        let error = try #require(throws: LuaError.self) {
            try state.run("callback(function()\n  error('bad row')\nend)", name: "@t.lua")
        }
        #expect(error.message == "t.lua:2: bad row")
    }

    @Test func argumentErrorsReadLikeLuas() throws {
        let state = try LuaState()
        state.register("needs") { s in _ = try s.checkString(1, function: "needs"); return 0 }
        let error = try #require(throws: LuaError.self) { try state.run("needs({})", name: "=x") }
        #expect(error.message == "x:1: bad argument #1 to 'needs' (string expected, got table)")
    }

    @Test func errorObjectsThatAreTablesAreDescribed() throws {
        let state = try LuaState()
        let error = try #require(throws: LuaError.self) { try state.run("error({code = 1})") }
        #expect(error.message == "(error object is a table value)")
    }
}
