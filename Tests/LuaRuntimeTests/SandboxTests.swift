import Foundation
import Testing
@testable import LuaRuntime

@Suite struct LuaSandboxTests {
    @Test(arguments: ["os.execute", "io.popen", "package.loadlib", "string.dump", "debug.sethook", "debug.getregistry"])
    func sandboxRemoves(_ name: String) throws {
        let state = try LuaState()
        #expect(try state.run("return \(name) == nil") == [true])
        let unsafe = try LuaState(options: LuaOptions(sandboxed: false))
        #expect(try unsafe.run("return type(\(name))") == ["function"])
    }

    @Test func cSearchersAreGone() throws {
        let state = try LuaState()
        #expect(try state.run("return #package.searchers, package.cpath") == [.integer(2), ""])
        let unsafe = try LuaState(options: LuaOptions(sandboxed: false))
        #expect(try unsafe.run("return #package.searchers") == [.integer(4)])
    }

    @Test func binaryChunksAreRefusedByLoadLoadfileAndRequire() throws {
        let unsafe = try LuaState(options: LuaOptions(sandboxed: false))
        guard case .bytes(let chunk) = try unsafe.run("return string.dump(function() return 7 end)")[0] else {
            Issue.record("string.dump did not give bytes")
            return
        }
        let dir = try makeTemporaryDirectory()
        let path = (dir as NSString).appendingPathComponent("compiled.lua")
        try Data(chunk).write(to: URL(fileURLWithPath: path))
        // The unsafe state can load it; the sandboxed one cannot, whatever mode is asked for.
        #expect(try unsafe.run("return loadfile(...)()", arguments: [path]) == [7])
        let state = try LuaState(options: LuaOptions(pluginDirectories: [dir]))
        let viaLoad = try state.run("local f = io.open(..., 'rb'); local s = f:read('a'); f:close(); return load(s, 'c', 'b')", arguments: [path])
        #expect(viaLoad == [.nil, "attempt to load a binary chunk (mode is 't')"])
        #expect(try state.run("return loadfile(..., 'bt')", arguments: [path])[1].stringValue?.contains("binary chunk") == true)
        let error = try #require(throws: LuaError.self) { try state.run("return require 'compiled'") }
        #expect(error.message.contains("attempt to load a binary chunk"))
    }

    @Test func loadKeepsAnExplicitEnvironment() throws {
        let state = try LuaState()
        #expect(try state.run("return load('return x', 'c', 't', {x = 5})()") == [5])
        #expect(try state.run("x = 9; return load('return x')()") == [9])
    }

    @Test func ioOpenStaysForLocalFiles() throws {
        let dir = try makeTemporaryDirectory()
        let path = (dir as NSString).appendingPathComponent("out.txt")
        let state = try LuaState()
        _ = try state.run("local f = assert(io.open(..., 'w')); f:write('ok'); f:close()", arguments: [path])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "ok")
    }

    @Test func endlessLoopInCallbackEndsWithBudgetErrorNamingTheLine() throws {
        let state = try LuaState(options: LuaOptions(instructionBudget: 1_000_000))
        state.registerCallbackRunner()
        let error = try #require(throws: LuaError.self) {
            try state.run("callback(function(row)\n  while true do\n  end\nend)", name: "@transform.lua")
        }
        #expect(error.kind == .budget)
        #expect(error.message.hasPrefix("transform.lua:2: instruction budget exceeded") || error.message.hasPrefix("transform.lua:3: instruction budget exceeded"))
    }

    @Test func budgetCannotBeEscapedWithPcallOrCoroutines() throws {
        let state = try LuaState(options: LuaOptions(instructionBudget: 1_000_000))
        state.registerCallbackRunner()
        let viaPcall = try #require(throws: LuaError.self) {
            try state.run("callback(function() while true do pcall(function() while true do end end) end end)")
        }
        #expect(viaPcall.kind == .budget)
        let viaCoroutine = try #require(throws: LuaError.self) {
            try state.run("callback(function() local co = coroutine.wrap(function() while true do end end); co() end)")
        }
        #expect(viaCoroutine.kind == .budget)
    }

    @Test func budgetIsPerCallbackSoManyShortCallsPass() throws {
        let state = try LuaState(options: LuaOptions(instructionBudget: 100_000))
        state.registerCallbackRunner()
        let result = try state.run("local n = 0; for i = 1, 2000 do n = n + callback(function() local s = 0; for j = 1, 100 do s = s + j end; return 1 end) end; return n")
        #expect(result == [2000])
    }

    @Test func memoryCeilingStopsHugeStringAndStateLivesOn() throws {
        let state = try LuaState()  // 1 GiB default
        let result = try state.run("return pcall(string.rep, 'x', 2^31 - 1)")
        #expect(result == [false, "not enough memory"])
        // 2^31 itself is refused by Lua's own length check before any allocation.
        #expect(try state.run("return pcall(string.rep, 'x', 2^31)")[1] == "resulting string too large")
        #expect(try state.run("return #string.rep('y', 1000)") == [1000])
    }

    @Test func memoryCeilingStopsGrowingTablesUncaught() throws {
        let state = try LuaState(options: LuaOptions(memoryLimit: 16 << 20))
        let error = try #require(throws: LuaError.self) { try state.run("local t = {} for i = 1, 1e8 do t[i] = i end") }
        #expect(error.kind == .memory)
        #expect(state.memoryPeak <= 16 << 20)
        _ = try state.run("collectgarbage()")
        #expect(try state.run("return 1 + 1") == [2])
    }

    @Test func swiftPushesCheckHeadroomInsteadOfFailingInLua() throws {
        let state = try LuaState(options: LuaOptions(memoryLimit: 8 << 20))
        state.register("big") { s in
            try s.pushChecked(String(repeating: "z", count: 32 << 20))
            return 1
        }
        let result = try state.run("return pcall(big)", name: "=m")
        #expect(result[0] == false)
        #expect(result[1].stringValue?.contains("Lua memory ceiling") == true)
    }
}
