import Foundation
import LuaRuntime
import Pipeline

/// One test case of a plugin's test file, and how it ended.
public struct PluginTestResult: Sendable, Equatable {
    public var file: String
    public var name: String
    /// nil when the case passed; the failure (with the test file's line) otherwise.
    public var failure: String?
}

/// Runs plugin tests (`plugins/NAME/test/*.lua`) with the `roster.test` module: `case`, `eq`, `ok`,
/// `keeps`, `skips`, `rejects`, `rows`. Every file gets its own Lua state; remote stages are simulated
/// (as in `roster check`), so a test never sends anything.
public enum PluginTests {
    /// The test files of plugin `name` on the plugin path, sorted; empty when it has none.
    public static func files(ofPlugin name: String, directories: [String]) -> [String] {
        let fm = FileManager.default
        for dir in directories {
            let folder = ((dir as NSString).appendingPathComponent(name) as NSString).appendingPathComponent("test")
            guard let entries = try? fm.contentsOfDirectory(atPath: folder) else { continue }
            return entries.filter { $0.hasSuffix(".lua") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
        }
        return []
    }

    /// Runs one test file; a file that fails to load is one failed case named after the file.
    public static func run(file: String, options: LuaOptions, context: RosterContext) -> [PluginTestResult] {
        do {
            let host = try ScriptHost(options: options, context: context)
            defer { host.session.shutdown() }
            let folder = (file as NSString).deletingLastPathComponent
            _ = try host.state.run(harness, name: "=[roster.test]", arguments: [folder.isEmpty ? "." : folder])
            try host.state.runScript(path: file, arguments: []) { _, _, _ in }
            let results = try host.state.run("return roster.test._run()", name: "=[roster.test]", arguments: [])
            guard case .table(let list) = results.first ?? .nil else { return [] }
            return list.array.map { entry in
                guard case .table(let t) = entry else { return PluginTestResult(file: file, name: "?", failure: "bad result") }
                return PluginTestResult(file: file, name: t["name"].stringValue ?? "?", failure: t["failure"].stringValue)
            }
        } catch {
            return [PluginTestResult(file: file, name: "loading \((file as NSString).lastPathComponent)", failure: String(describing: error))]
        }
    }

    /// `roster.test`, in Lua: cases run in order, each in a protected call; a failure names the test file's line.
    static let harness = #"""
        local folder = ...
        local T, cases = {}, {}

        local function show(v, depth)
          depth = depth or 0
          if type(v) == "string" then return string.format("%q", v) end
          if type(v) ~= "table" or depth > 2 then return tostring(v) end
          local keys = {}
          for k in pairs(v) do keys[#keys + 1] = k end
          table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
          local parts = {}
          for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. " = " .. show(v[k], depth + 1) end
          return "{ " .. table.concat(parts, ", ") .. " }"
        end

        local function equal(a, b)
          if a == b then return true end
          if type(a) ~= "table" or type(b) ~= "table" then return false end
          for k, v in pairs(a) do if not equal(v, b[k]) then return false end end
          for k in pairs(b) do if a[k] == nil then return false end end
          return true
        end

        local function copy(row)
          local out = {}
          for k, v in pairs(row) do out[k] = v end
          return out
        end

        -- Runs a transform as a job would: on a copy of the row, with a ctx.
        local function apply(fn, row, ctx)
          assert(type(fn) == "function", "roster.test: the first argument is the transform function")
          assert(type(row) == "table", "roster.test: the second argument is a row table")
          return pcall(fn, copy(row), ctx or { row = 1, line = 2 })
        end

        function T.case(name, fn)
          assert(type(name) == "string" and type(fn) == "function", "roster.test.case(name, function)")
          cases[#cases + 1] = { name = name, fn = fn }
        end

        function T.eq(actual, expected, message)
          if not equal(actual, expected) then
            error((message and message .. ": " or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
          end
        end

        function T.ok(value, message)
          if not value then error(message or "expected a true value, got " .. show(value), 2) end
          return value
        end

        -- The row the transform keeps (its first row when it fans out).
        function T.keeps(fn, row, ctx)
          local ok, out, reason = apply(fn, row, ctx)
          if not ok then error("expected the row to be kept, but the transform raised: " .. tostring(out), 2) end
          if out == nil then error("expected the row to be kept, but it was skipped: " .. tostring(reason), 2) end
          return out
        end

        -- The skip reason; `contains` (plain text) must be part of it when given.
        function T.skips(fn, row, contains, ctx)
          local ok, out, reason = apply(fn, row, ctx)
          if not ok then error("expected a skip, but the transform raised: " .. tostring(out), 2) end
          if out ~= nil then error("expected a skip, but the row was kept: " .. show(out), 2) end
          if contains and not tostring(reason):find(contains, 1, true) then
            error("skipped, but the reason " .. show(reason) .. " does not contain " .. show(contains), 2)
          end
          return reason
        end

        -- The rejection message; `contains` (plain text) must be part of it when given.
        function T.rejects(fn, row, contains, ctx)
          local ok, err = apply(fn, row, ctx)
          if ok then error("expected the transform to raise an error (reject), but it returned " .. show(err), 2) end
          if contains and not tostring(err):find(contains, 1, true) then
            error("rejected, but the message " .. show(tostring(err)) .. " does not contain " .. show(contains), 2)
          end
          return tostring(err)
        end

        -- Rows of a fixture file (relative to the test file's folder) as row tables, and its header.
        function T.rows(path)
          local src = roster.read(path:sub(1, 1) == "/" and path or folder .. "/" .. path)
          local rows = {}
          for row in src:rows() do rows[#rows + 1] = copy(row) end
          return rows, src:header()
        end

        function T._run()
          local results = {}
          for _, c in ipairs(cases) do
            local ok, err = xpcall(c.fn, function(e) return tostring(e) end)
            results[#results + 1] = { name = c.name, failure = (not ok) and err or nil }
          end
          return results
        end

        roster.test = T
        """#
}
