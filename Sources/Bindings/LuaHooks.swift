import Foundation
import LuaRuntime
import Pipeline
import Tabular
import Transport

/// A job's hooks: Lua functions in a `hooks = {...}` table, called with values converted by the
/// one JSON<->Lua converter. A hook's error stops the job, naming the hook and its plugin.
final class LuaHooks: JobHooks {
    private let stack: LuaStack
    private let codec: JSONCodec
    private var functions: [HookName: LuaRef] = [:]
    private var origins: [HookName: String] = [:]

    /// Reads the hooks table at `index`: each key must be a known hook, each value a function.
    init(stack s: LuaStack, at index: Int32, codec: JSONCodec, function: String) throws {
        stack = s
        self.codec = codec
        let t = s.absolute(index)
        guard s.type(at: t) == .table else { throw RosterScriptError("\(function): 'hooks' must be a table of functions, got \(s.type(at: t).name)") }
        try s.reserve(4)
        s.pushNil()
        while s.next(t) {
            guard s.type(at: -2) == .string, let key = s.string(at: -2) else {
                s.pop(2)
                throw RosterScriptError("\(function): hooks must be named (before_upload, after_upload, before_import, after_import, on_reject)")
            }
            guard let hook = HookName(rawValue: key) else {
                s.pop(2)
                let hint = nearestName(to: key, in: HookName.allCases.map(\.rawValue)).map { " (did you mean '\($0)'?)" } ?? ""
                throw RosterScriptError("\(function): unknown hook '\(key)'\(hint); hooks are before_upload, after_upload, before_import, after_import, on_reject")
            }
            guard s.type(at: -1) == .function else {
                let kind = s.type(at: -1).name
                s.pop(2)
                throw RosterScriptError("\(function): hooks.\(key) must be a function, got \(kind)")
            }
            origins[hook] = s.functionSource(at: -1).map(Self.origin)
            functions[hook] = s.ref()
        }
    }

    func has(_ hook: HookName) -> Bool { functions[hook] != nil }

    func call(_ hook: HookName, _ arguments: [JSONValue]) throws -> JSONValue? {
        guard let function = functions[hook] else { return nil }
        let s = stack
        let base = s.top
        defer { s.setTop(base) }
        try s.reserve(Int32(arguments.count + 4))
        // The first argument is kept below the call, so changes a hook makes in place can be read back.
        if let first = arguments.first { try codec.push(first, on: s) } else { s.pushNil() }
        let kept = s.top
        function.push(on: s)
        s.pushCopy(of: kept)
        for a in arguments.dropFirst() { try codec.push(a, on: s) }
        do {
            try s.call(arguments: Int32(max(1, arguments.count)), results: 1)
        } catch let error as LuaError {
            let origin = origins[hook].map { " of \($0)" } ?? ""
            let failure = error.underlying.map { FailureClass(of: $0) } ?? .script
            throw JobError(failure, stage: hook.rawValue,
                           "\(error.message) (\(hook.rawValue) hook\(origin): the job stopped here; the journal keeps what was done)",
                           underlying: error)
        }
        guard hook.rawValue.hasPrefix("before_") else { return nil }
        // A returned table replaces the argument; otherwise the argument as the hook left it.
        let result = s.top
        if s.type(at: result) == .table { return try codec.value(at: result, on: s, what: "what \(hook.rawValue) returned") }
        return try codec.value(at: kept, on: s, what: "the argument of \(hook.rawValue)")
    }

    /// `plugin NAME` for a file under a plugins folder, `script FILE` otherwise.
    static func origin(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let isPlugin = path.hasPrefix("plugins/") || path.contains("/plugins/")
        let name = url.lastPathComponent == "init.lua" ? url.deletingLastPathComponent().lastPathComponent
            : url.deletingPathExtension().lastPathComponent
        return isPlugin ? "plugin \(name)" : "script \(path)"
    }
}
