import CLua
import CLuaShim
#if canImport(Glibc)
import Glibc
#endif

/// A Lua value copied out of one state so another state (on another thread) can rebuild it: what
/// lets N states run the same row function. Functions travel as bytecode with their upvalues;
/// tables are copied deeply (shared and cyclic tables stay shared within one copy); library values
/// (`string.upper`, `roster.phone`) travel by name and resolve to the other state's own.
public indirect enum PortableValue: Sendable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string([UInt8])
    /// A table: its entries, its metatable, and an id later references (`seen`) use.
    case table(id: Int, entries: [Entry], metatable: PortableValue?)
    /// A Lua function: its bytecode (with debug information) and its upvalues in order.
    case function(id: Int, code: [UInt8], name: String, upvalues: [PortableValue])
    /// A table or function copied earlier in the same value.
    case seen(id: Int)
    /// A library value by its path from the globals (`string.upper`, `roster.phone.e164`).
    case library(String)
    /// The state's globals (a function's `_ENV`).
    case globals

    public struct Entry: Sendable {
        public var key: PortableValue
        public var value: PortableValue
    }
}

/// Why a value cannot be copied to another state; names it by its path (`upvalue 'src' of map`).
public struct PortableValueError: Error, CustomStringConvertible {
    public var description: String
}

extension LuaStack {
    /// The library tables whose contents travel by name: the standard libraries and `roster`.
    public static let libraryTables: Set<String> = ["string", "table", "math", "utf8", "os", "io", "coroutine", "debug", "package", "roster"]

    /// Library values by identity (pointer) -> path from the globals: the built-in functions and the
    /// library tables, their functions and, one level down, their sub-tables' functions (`roster.phone.e164`).
    public func libraryIndex() -> [UnsafeRawPointer: String] {
        var index: [UnsafeRawPointer: String] = [:]
        pushGlobals()
        let globals = top
        defer { setTop(globals - 1) }
        // Shallow paths first: the library tables themselves, then what they hold, then one level
        // down (`package.loaded.roster` must not take the name of `roster`).
        let libraries = Self.libraryTables.sorted()
        for name in libraries {
            if getField(name, in: globals) == .table, let p = lua_topointer(L, -1) { index[p] = name }
            pop()
        }
        var nested: [String] = []
        func entries(of path: String, collect: Bool) {
            pushGlobals()
            for part in path.split(separator: ".") {
                guard lua_type(L, -1) == LUA_TTABLE else { break }
                push(String(part))
                lua_rawget(L, -2)
                stackRemove(-2)
            }
            defer { pop() }
            guard lua_type(L, -1) == LUA_TTABLE else { return }
            let table = top
            lua_pushnil(L)
            while lua_next(L, table) != 0 {
                defer { pop() }
                guard lua_type(L, -2) == LUA_TSTRING, let name = string(at: -2), let p = lua_topointer(L, -1), index[p] == nil else { continue }
                switch lua_type(L, -1) {
                case LUA_TFUNCTION:
                    index[p] = path + "." + name
                case LUA_TTABLE where collect:
                    index[p] = path + "." + name
                    nested.append(path + "." + name)
                default:
                    continue
                }
            }
        }
        for name in libraries { entries(of: name, collect: true) }
        for path in nested { entries(of: path, collect: false) }
        // The built-in functions (print, pairs, tostring...): C functions in the globals.
        lua_pushnil(L)
        while lua_next(L, globals) != 0 {
            defer { pop() }
            guard lua_type(L, -2) == LUA_TSTRING, let name = string(at: -2), lua_iscfunction(L, -1) != 0,
                  let p = lua_topointer(L, -1), index[p] == nil else { continue }
            index[p] = name
        }
        return index
    }

    /// Copies the value at `index` out of this state; `library` is `libraryIndex()`, `what` names the value in errors.
    public func portable(at index: Int32, library: [UnsafeRawPointer: String], what: String) throws -> PortableValue {
        var capture = PortableCapture(stack: self, library: library)
        return try capture.capture(absolute(index), what: what, depth: 0)
    }

    /// Pushes a copy of `value` built in this state (library values resolved here).
    public func push(portable value: PortableValue) throws {
        try reserve(8)
        lua_createtable(L, 0, 0)  // id -> rebuilt table or function, for `seen`
        let rebuilt = top
        try build(value, rebuilt: rebuilt, depth: 0)
        stackRemove(rebuilt)
    }

    private func build(_ value: PortableValue, rebuilt: Int32, depth: Int) throws {
        try reserve(8)
        guard depth < 200 else { throw PortableValueError(description: "a value nested more than 200 levels deep cannot be copied") }
        switch value {
        case .nil: pushNil()
        case .boolean(let b): push(b)
        case .integer(let i): push(i)
        case .number(let d): push(d)
        case .string(let bytes): bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c in
                if let base = c.baseAddress { _ = lua_pushlstring(L, base, c.count) } else { lua_pushstring(L, "") }
            }
        }
        case .globals:
            lua_rawgeti(L, roster_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        case .seen(let id):
            lua_rawgeti(L, rebuilt, lua_Integer(id))
        case .library(let path):
            lua_rawgeti(L, roster_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
            for part in path.split(separator: ".") {
                guard lua_type(L, -1) == LUA_TTABLE else { break }
                push(String(part))
                lua_rawget(L, -2)
                stackRemove(-2)
            }
            if lua_type(L, -1) == LUA_TNIL {
                throw PortableValueError(description: "\(path) does not exist in a parallel worker")
            }
        case let .table(id, entries, metatable):
            lua_createtable(L, 0, Int32(clamping: entries.count))
            let t = top
            pushCopy(of: t)
            lua_rawseti(L, rebuilt, lua_Integer(id))
            for entry in entries {
                try build(entry.key, rebuilt: rebuilt, depth: depth + 1)
                try build(entry.value, rebuilt: rebuilt, depth: depth + 1)
                lua_rawset(L, t)
            }
            if let metatable {
                try build(metatable, rebuilt: rebuilt, depth: depth + 1)
                lua_setmetatable(L, t)
            }
        case let .function(id, code, name, upvalues):
            let status = code.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { roster_load_dumped(L, $0.baseAddress, $0.count, name) }
            }
            guard status == LUA_OK else {
                let message = string(at: -1) ?? "unknown error"
                pop()
                throw PortableValueError(description: "\(name) could not be loaded in a parallel worker: \(message)")
            }
            let f = top
            pushCopy(of: f)
            lua_rawseti(L, rebuilt, lua_Integer(id))
            for (n, upvalue) in upvalues.enumerated() {
                try build(upvalue, rebuilt: rebuilt, depth: depth + 1)
                if lua_setupvalue(L, f, Int32(n + 1)) == nil { pop() }
            }
        }
    }
}

/// One copy out of a state: remembers the tables and functions already taken (shared and cyclic values).
private struct PortableCapture {
    let stack: LuaStack
    let library: [UnsafeRawPointer: String]
    var ids: [UnsafeRawPointer: Int] = [:]

    init(stack: LuaStack, library: [UnsafeRawPointer: String]) {
        self.stack = stack
        self.library = library
    }

    mutating func capture(_ i: Int32, what: String, depth: Int) throws -> PortableValue {
        let s = stack
        let L = s.L
        guard depth < 200 else { throw PortableValueError(description: "\(what) is nested more than 200 levels deep") }
        try s.reserve(8)
        switch lua_type(L, i) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .boolean(lua_toboolean(L, i) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, i) != 0 { return .integer(lua_tointegerx(L, i, nil)) }
            return .number(lua_tonumberx(L, i, nil))
        case LUA_TSTRING:
            var len = 0
            guard let p = lua_tolstring(L, i, &len) else { return .string([]) }
            return .string(Array(UnsafeRawBufferPointer(start: p, count: len)))
        case LUA_TTABLE:
            guard let p = lua_topointer(L, i) else { return .nil }
            lua_rawgeti(L, roster_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
            let isGlobals = lua_rawequal(L, -1, i) != 0
            s.pop()
            if isGlobals { return .globals }
            if let path = library[p] { return .library(path) }
            if let id = ids[p] { return .seen(id: id) }
            let id = ids.count + 1
            ids[p] = id
            var entries: [PortableValue.Entry] = []
            lua_pushnil(L)
            while lua_next(L, i) != 0 {
                let keyName = s.string(at: -2) ?? "(\(s.type(at: -2).name) key)"
                let key = try capture(s.top - 1, what: "\(what)[\(keyName)]", depth: depth + 1)
                let value = try capture(s.top, what: "\(what).\(keyName)", depth: depth + 1)
                entries.append(.init(key: key, value: value))
                s.pop()
            }
            var metatable: PortableValue?
            if lua_getmetatable(L, i) != 0 {
                defer { s.pop() }
                metatable = try capture(s.top, what: "the metatable of \(what)", depth: depth + 1)
            }
            return .table(id: id, entries: entries, metatable: metatable)
        case LUA_TFUNCTION:
            guard let p = lua_topointer(L, i) else { return .nil }
            if let path = library[p] { return .library(path) }
            if let id = ids[p] { return .seen(id: id) }
            if lua_iscfunction(L, i) != 0 {
                throw PortableValueError(description: "\(what) is a built-in function outside the libraries (it may keep state across rows)")
            }
            let id = ids.count + 1
            ids[p] = id
            s.pushCopy(of: i)
            var out: UnsafeMutablePointer<CChar>?
            var len = 0
            let status = roster_dump_function(L, &out, &len)
            s.pop()
            guard status == 0, let out else { throw PortableValueError(description: "\(what) could not be copied (lua_dump failed)") }
            let code = Array(UnsafeRawBufferPointer(start: out, count: len).bindMemory(to: UInt8.self))
            free(out)
            var upvalues: [PortableValue] = []
            var n: Int32 = 1
            while let name = lua_getupvalue(L, i, n) {
                let upvalueName = String(cString: name)
                defer { s.pop() }
                upvalues.append(try capture(s.top, what: "upvalue '\(upvalueName)' of \(what)", depth: depth + 1))
                n += 1
            }
            return .function(id: id, code: code, name: "=" + what, upvalues: upvalues)
        default:
            throw PortableValueError(description: "\(what) is a \(s.type(at: i).name): only strings, numbers, booleans, tables and functions can be copied to a parallel worker")
        }
    }
}
