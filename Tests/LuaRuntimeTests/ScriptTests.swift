import Foundation
import Testing
@testable import LuaRuntime

final class Counter {
    var released = 0
}

final class Tracked {
    let counter: Counter
    let name: String
    init(counter: Counter, name: String) {
        self.counter = counter
        self.name = name
    }
    deinit { counter.released += 1 }
}

@Suite struct ScriptTests {
    @Test func argTableAndVarargsMatchLua() throws {
        let dir = try makeTemporaryDirectory()
        let script = try writeFile(dir, "args.lua", "#!/usr/bin/env roster\nreturn arg[0], arg[1], arg[2], select('#', ...), debug.getinfo == nil, ...")
        let state = try LuaState()
        let values = try state.runScript(path: script, arguments: ["in.csv", "--dry"])
        #expect(values == [.string(script), "in.csv", "--dry", 2, true, "in.csv", "--dry"])
    }

    @Test func shebangLineIsSkippedAndLinesStillCount() throws {
        let dir = try makeTemporaryDirectory()
        let script = try writeFile(dir, "s.lua", "#!/usr/bin/env roster run\n\nerror('third line')\n")
        let state = try LuaState()
        let error = try #require(throws: LuaError.self) { try state.runScript(path: script) }
        #expect(error.message.hasSuffix("s.lua:3: third line"))
    }

    @Test func requireFindsPluginFilesAndInitFolders() throws {
        let first = try makeTemporaryDirectory(), second = try makeTemporaryDirectory()
        try writeFile(first, "alpha.lua", "return { name = 'alpha', from = 'first' }")
        try writeFile(second, "beta/init.lua", "return { name = 'beta', dep = require('alpha').name }")
        try writeFile(second, "alpha.lua", "return { name = 'alpha', from = 'second' }")
        let state = try LuaState(options: LuaOptions(pluginDirectories: [first, second]))
        #expect(try state.run("return require('alpha').from, require('beta').dep") == ["first", "alpha"])
        let error = try #require(throws: LuaError.self) { try state.run("require 'nothere'") }
        #expect(error.message.contains("module 'nothere' not found"))
        #expect(error.message.contains("\(second)/nothere/init.lua"))
    }

    @Test func swiftObjectsAreReleasedByGarbageCollection() throws {
        let counter = Counter()
        let state = try LuaState()
        let s = state.stack
        s.defineClass("test.Tracked", methods: [
            "name": { s in
                let t = try s.checkObject(1, className: "test.Tracked", method: "name", as: Tracked.self)
                s.push(t.name)
                return 1
            },
        ], metamethods: ["__tostring": { s in s.push("Tracked"); return 1 }])
        state.register("make") { s in
            let name = try s.checkString(1, function: "make")
            s.push(object: Tracked(counter: counter, name: name), className: "test.Tracked")
            return 1
        }
        #expect(try state.run("local t = make('ann'); return t:name(), tostring(t), getmetatable(t)") == ["ann", "Tracked", "locked"])
        _ = try state.run("for i = 1, 100 do make('x' .. i) end; collectgarbage(); collectgarbage()")
        #expect(counter.released == 101)
        let error = try #require(throws: LuaError.self) { try state.run("local t = make('b'); return t.name()", name: "=o") }
        #expect(error.message.contains("test.Tracked expected, got no value; call it with ':'"))
    }

    @Test func registeredFunctionsAreReleasedWithTheState() throws {
        let counter = Counter()
        do {
            let state = try LuaState()
            let tracked = Tracked(counter: counter, name: "captured")
            state.register("f") { s in s.push(tracked.name); return 1 }
            #expect(try state.run("return f()") == ["captured"])
        }
        #expect(counter.released == 1)
    }
}
