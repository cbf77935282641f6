import Foundation
import Testing
@testable import Bindings
import LuaRuntime

/// docs/lua-api.md documents every function the `roster` module registers in Lua.
@Suite struct LuaAPIDocTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/lua-api.md").standardized.path

    /// Every function reachable from the global `roster` table, as `roster.a.b`.
    func moduleFunctions(_ state: LuaState) throws -> [String] {
        let values = try state.run("""
            local out = {}
            local function walk(t, prefix, depth)
              for k, v in pairs(t) do
                if type(v) == "function" then out[#out + 1] = prefix .. k
                elseif type(v) == "table" and depth < 3 and getmetatable(v) == nil then walk(v, prefix .. k .. ".", depth + 1) end
              end
            end
            walk(roster, "roster.", 0)
            table.sort(out)
            return table.concat(out, "\\n")
            """)
        return (values.first?.stringValue ?? "").split(separator: "\n").map(String.init)
    }

    /// The methods of each class the module defines, as `ClassName:method`.
    func classMethods(_ state: LuaState) -> [String: [String]] {
        let s = state.stack
        var found: [String: [String]] = [:]
        for name in ["roster.Source", "roster.Omnigage", "roster.Whispir", "roster.Job", "roster.Target"] {
            guard s.pushMetatable(named: name) else { s.pop(); continue }
            var methods: [String] = []
            if s.getField("__index", in: -1) == .table {
                s.pushNil()
                while s.next(-2) {
                    s.pop()
                    if let key = s.string(at: -1) { methods.append(key) }
                }
            }
            s.pop(2)
            found[name] = methods.sorted()
        }
        return found
    }

    @Test func everyRegisteredFunctionAndMethodIsDocumented() throws {
        let text = try String(contentsOfFile: Self.docs, encoding: .utf8)
        let host = try ScriptHost(options: LuaOptions(pluginDirectories: []), context: RosterContext(logger: .init(label: "t"), environment: [:]))
        let functions = try moduleFunctions(host.state)
        #expect(functions.contains("roster.job") && functions.contains("roster.read") && functions.contains("roster.json.decode"))
        for name in functions {
            #expect(text.contains("`\(name)"), "docs/lua-api.md does not document \(name)")
        }
        let methods = classMethods(host.state)
        #expect(methods["roster.Omnigage"]?.contains("create_upload") == true)
        #expect(methods["roster.Source"]?.contains("map") == true)
        for (className, names) in methods {
            for method in names {
                #expect(text.contains(":\(method)(") || text.contains(":\(method){"), "docs/lua-api.md does not document \(className):\(method)")
            }
        }
    }
}
