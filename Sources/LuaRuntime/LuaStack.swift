import CLua
import CLuaShim

/// The Lua type of a stack slot.
public enum LuaType: Int32, Sendable {
    case none = -1, `nil` = 0, boolean, lightUserdata, number, string, table, function, userdata, thread

    public var name: String {
        switch self {
        case .none: return "no value"
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .lightUserdata, .userdata: return "userdata"
        case .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .function: return "function"
        case .thread: return "thread"
        }
    }
}

/// A view of one Lua thread's stack, handed to Swift functions. Valid only during the call it was
/// given to (or while its `LuaState` lives, for the main thread's).
public struct LuaStack {
    public let L: OpaquePointer
    public unowned let state: LuaState

    init(_ L: OpaquePointer, state: LuaState) {
        self.L = L
        self.state = state
    }

    // MARK: Slots

    public var top: Int32 { lua_gettop(L) }
    public func setTop(_ n: Int32) { lua_settop(L, n) }
    public func pop(_ n: Int32 = 1) { lua_settop(L, -n - 1) }
    public func type(at index: Int32) -> LuaType { LuaType(rawValue: lua_type(L, index)) ?? .none }
    public func absolute(_ index: Int32) -> Int32 { lua_absindex(L, index) }
    public func pushCopy(of index: Int32) { lua_pushvalue(L, index) }

    // MARK: Pushing

    /// Makes room for `slots` more values. A Swift function is guaranteed only 20 (LUA_MINSTACK):
    /// anything that recurses or pushes a variable number of values must reserve first.
    public func reserve(_ slots: Int32) throws {
        if lua_checkstack(L, slots) == 0 {
            throw LuaError(kind: .memory, message: "Lua stack overflow (\(slots) more slots could not be reserved)")
        }
    }

    public func pushNil() { lua_pushnil(L) }
    public func push(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }
    public func push(_ value: Int) { lua_pushinteger(L, lua_Integer(value)) }
    public func push(_ value: Int64) { lua_pushinteger(L, lua_Integer(value)) }
    public func push(_ value: Double) { lua_pushnumber(L, value) }

    /// Pushes a string (any bytes, NULs included).
    public func push(_ value: String) {
        var value = value
        value.withUTF8 { buf in _ = lua_pushlstring(L, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buf.count) }
    }

    /// Pushes raw bytes as a Lua string.
    public func push(bytes: UnsafeRawBufferPointer) {
        _ = lua_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    }

    /// Pushes a string only if the memory ceiling leaves room; otherwise throws instead of failing in Lua.
    public func pushChecked(_ value: String) throws {
        try ensureHeadroom(value.utf8.count)
        push(value)
    }

    /// Throws a memory error if allocating `bytes` more would pass the state's ceiling.
    public func ensureHeadroom(_ bytes: Int) throws {
        let lim = state.limits.pointee
        if lim.limit != 0, Int(lim.used) + bytes > Int(lim.limit) {
            throw LuaError(kind: .memory, message: "not enough memory (Lua memory ceiling of \(lim.limit >> 20) MB reached)")
        }
    }

    /// Pushes a Swift value as its Lua counterpart (tables are created fresh).
    public func push(_ value: LuaValue) {
        switch value {
        case .nil, .opaque: pushNil()
        case .boolean(let b): push(b)
        case .integer(let i): push(i)
        case .number(let d): push(d)
        case .string(let s): push(s)
        case .bytes(let b): b.withUnsafeBytes { push(bytes: $0) }
        case .table(let t):
            // Values copied from Lua are at most 200 levels deep; the stack holds a million slots.
            guard lua_checkstack(L, 4) != 0 else { return pushNil() }
            newTable(arrayCapacity: t.array.count, fieldCapacity: t.fields.count)
            for (i, v) in t.array.enumerated() {
                push(v)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
            for (k, v) in t.fields where k != .nil {
                if case .number(let d) = k, d.isNaN { continue }
                push(k)
                push(v)
                lua_rawset(L, -3)
            }
        }
    }

    public func newTable(arrayCapacity: Int = 0, fieldCapacity: Int = 0) {
        lua_createtable(L, Int32(clamping: arrayCapacity), Int32(clamping: fieldCapacity))
    }

    /// Sets `t[name] = top` (raw) on the table at `table`, popping the value.
    public func setField(_ name: String, in table: Int32) {
        let t = absolute(table)
        push(name)
        roster_insert(L, -2)
        lua_rawset(L, t)
    }

    /// Sets `t[index] = top` (raw) on the table at `table`, popping the value.
    public func setIndex(_ index: Int, in table: Int32) {
        lua_rawseti(L, table, lua_Integer(index))
    }

    public func isInteger(at index: Int32) -> Bool { lua_isinteger(L, index) != 0 }
    public func rawEqual(_ a: Int32, _ b: Int32) -> Bool { lua_rawequal(L, a, b) != 0 }
    public func rawLength(at index: Int32) -> Int { Int(lua_rawlen(L, index)) }
    /// Pushes `t[i]` (raw) from the table at `table`.
    public func rawGet(index i: Int, in table: Int32) { lua_rawgeti(L, table, lua_Integer(i)) }
    /// Replaces the key on top with `t[key]` (raw) and returns its type.
    @discardableResult
    public func rawGet(in table: Int32) -> LuaType {
        let t = absolute(table)
        return LuaType(rawValue: lua_rawget(L, t)) ?? .nil
    }

    /// `t[k] = v` (raw) for the key and value on top, popping both.
    public func rawSet(in table: Int32) { lua_rawset(L, table) }
    /// Lua's `next`: pops a key, pushes the next key and value; false at the end.
    public func next(_ table: Int32) -> Bool { lua_next(L, table) != 0 }
    /// Pushes the metatable of the value at `index`, if it has one.
    public func pushMetatable(of index: Int32) -> Bool { lua_getmetatable(L, index) != 0 }

    /// Pushes the metatable of class `name` (see `defineClass`), or nil; true when it exists.
    @discardableResult
    public func pushMetatable(named name: String) -> Bool { roster_getmetatable_named(L, name) == LUA_TTABLE }
    /// Sets the table on top as the metatable of the value at `index`, popping it.
    public func setMetatable(of index: Int32) throws {
        guard type(at: -1) == .table else { throw LuaError(kind: .runtime, message: "metatable must be a table") }
        lua_setmetatable(L, index)
    }

    /// Pushes `t[i]` (raw) and returns its type.
    @discardableResult
    public func rawGetType(index i: Int, in table: Int32) -> LuaType {
        let t = absolute(table)
        return LuaType(rawValue: lua_rawgeti(L, t, lua_Integer(i))) ?? .nil
    }

    /// Removes the value at `index`, shifting those above it down.
    public func stackRemove(_ index: Int32) { roster_remove(L, index) }

    /// Sets global `name` to the value on top, popping it.
    public func setGlobal(_ name: String) { lua_setglobal(L, name) }

    /// Pushes global `name` and returns its type.
    @discardableResult
    public func getGlobal(_ name: String) -> LuaType { LuaType(rawValue: lua_getglobal(L, name)) ?? .nil }
    /// Pushes the globals table.
    public func pushGlobals() { lua_rawgeti(L, roster_registryindex(), lua_Integer(LUA_RIDX_GLOBALS)) }

    /// Pushes `t[name]` (raw) from the table at `table` and returns its type.
    @discardableResult
    public func getField(_ name: String, in table: Int32) -> LuaType {
        let t = absolute(table)
        push(name)
        return LuaType(rawValue: lua_rawget(L, t)) ?? .nil
    }

    // MARK: Reading

    /// The string at `index` if it is a string or a number (formatted as Lua does), else nil.
    public func string(at index: Int32) -> String? {
        switch lua_type(L, index) {
        case LUA_TSTRING:
            var len = 0
            guard let p = lua_tolstring(L, index, &len) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return String(lua_tointegerx(L, index, nil)) }
            return LuaNumberFormat.string(lua_tonumberx(L, index, nil))
        default:
            return nil
        }
    }

    /// Calls `body` with the bytes of the string at `index` (no copy); nil if it is not a string.
    public func withBytes<R>(at index: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var len = 0
        guard let p = lua_tolstring(L, index, &len) else { return nil }
        return try body(UnsafeRawBufferPointer(start: p, count: len))
    }

    public func integer(at index: Int32) -> Int64? {
        var ok: Int32 = 0
        let v = lua_tointegerx(L, index, &ok)
        return ok != 0 ? Int64(v) : nil
    }

    public func number(at index: Int32) -> Double? {
        var ok: Int32 = 0
        let v = lua_tonumberx(L, index, &ok)
        return ok != 0 ? v : nil
    }

    public func boolean(at index: Int32) -> Bool { lua_toboolean(L, index) != 0 }

    /// Copies the value at `index` into Swift (tables deeply; cycles are an error).
    public func value(at index: Int32) throws -> LuaValue {
        var seen: Set<UnsafeRawPointer> = []
        return try value(at: absolute(index), seen: &seen, depth: 0)
    }

    private func value(at index: Int32, seen: inout Set<UnsafeRawPointer>, depth: Int) throws -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(lua_tointegerx(L, index, nil))) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            var len = 0
            guard let p = lua_tolstring(L, index, &len) else { return .nil }
            let buf = UnsafeRawBufferPointer(start: p, count: len)
            if let s = String(validating: buf, as: UTF8.self) { return .string(s) }
            return .bytes(Array(buf))
        case LUA_TTABLE:
            guard let id = lua_topointer(L, index) else { return .opaque("table") }
            if seen.contains(id) { throw LuaError(kind: .runtime, message: "table contains a cycle and cannot be copied") }
            if depth > 200 { throw LuaError(kind: .runtime, message: "table nested more than 200 levels deep") }
            try reserve(4)
            seen.insert(id)
            defer { seen.remove(id) }
            var fields: [LuaValue: LuaValue] = [:]
            lua_pushnil(L)
            while lua_next(L, index) != 0 {
                let v = try value(at: top, seen: &seen, depth: depth + 1)
                let k = try value(at: top - 1, seen: &seen, depth: depth + 1)
                fields[k] = v
                pop()
            }
            var array: [LuaValue] = []
            var i: Int64 = 1
            while let v = fields.removeValue(forKey: .integer(i)) {
                array.append(v)
                i += 1
            }
            return .table(LuaTable(array: array, fields: fields))
        default:
            return .opaque(type(at: index).name)
        }
    }

    // MARK: Arguments (for Swift functions)

    /// The string argument at `index`, or an error in Lua's words naming `function`.
    public func checkString(_ index: Int32, function: String) throws -> String {
        guard let s = string(at: index) else { throw argumentError(index, function: function, expected: "string") }
        return s
    }

    public func optionalString(_ index: Int32, function: String) throws -> String? {
        if lua_type(L, index) <= LUA_TNIL { return nil }
        return try checkString(index, function: function)
    }

    public func checkInteger(_ index: Int32, function: String) throws -> Int64 {
        guard let v = integer(at: index) else { throw argumentError(index, function: function, expected: "integer") }
        return v
    }

    public func checkTable(_ index: Int32, function: String) throws {
        guard lua_type(L, index) == LUA_TTABLE else { throw argumentError(index, function: function, expected: "table") }
    }

    /// `bad argument #i to 'f' (expected expected, got type)`, as Lua words it.
    public func argumentError(_ index: Int32, function: String, expected: String) -> LuaArgumentError {
        LuaArgumentError(message: "bad argument #\(index) to '\(function)' (\(expected) expected, got \(type(at: index).name))")
    }

    // MARK: Functions and objects

    /// Pushes a Swift function as a Lua function.
    public func push(function: @escaping LuaFunction) {
        let box = Unmanaged.passRetained(SwiftFunctionBox(function)).toOpaque()
        roster_push_swift_function(L, box)
    }

    /// Replaces the function on top (a Unicode upper- or lower-case mapping of its one string
    /// argument) by a C function that maps ASCII and Latin-1 text itself, the usual contact data,
    /// and calls it for anything else.
    public func wrapInCaseMapping(upper: Bool) {
        roster_push_case_mapping(L, upper ? 1 : 0)
    }

    /// Registers a class of Swift objects: `methods` are reached through `obj:name(...)`,
    /// `metamethods` (e.g. `__tostring`, `__len`) are set on the metatable. Safe to call twice.
    public func defineClass(_ name: String, methods: [String: LuaFunction], metamethods: [String: LuaFunction] = [:]) {
        if roster_new_object_metatable(L, name) != 0 {
            newTable(fieldCapacity: methods.count)
            for (k, f) in methods {
                push(function: f)
                setField(k, in: -2)
            }
            setField("__index", in: -2)
            for (k, f) in metamethods {
                push(function: f)
                setField(k, in: -2)
            }
            push(name)
            setField("__name", in: -2)
        }
        pop()
    }

    /// Pushes `object` as a userdata of class `className` (see `defineClass`); Lua's GC releases it.
    public func push(object: AnyObject, className: String) {
        let box = Unmanaged.passRetained(object).toOpaque()
        roster_push_object(L, box, className)
    }

    /// The Swift object at `index` if it is a userdata of class `className` and type `T`.
    public func object<T: AnyObject>(at index: Int32, className: String, as: T.Type = T.self) -> T? {
        guard let p = roster_to_object(L, index, className) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(p).takeUnretainedValue() as? T
    }

    /// `self` argument check for methods: the object or an error naming the method.
    public func checkObject<T: AnyObject>(_ index: Int32, className: String, method: String, as: T.Type = T.self) throws -> T {
        guard let o = object(at: index, className: className, as: T.self) else {
            throw LuaArgumentError(message: "bad argument #\(index) to '\(method)' (\(className) expected, got \(type(at: index).name); call it with ':')")
        }
        return o
    }

    /// Where the Lua function at `index` was defined: its chunk name without the `@` (a file path),
    /// nil for C functions and non-functions.
    public func functionSource(at index: Int32) -> String? {
        guard type(at: index) == .function else { return nil }
        var ar = lua_Debug()
        pushCopy(of: index)
        guard lua_getinfo(L, ">S", &ar) != 0, let source = ar.source else { return nil }
        let text = String(cString: source)
        guard text.hasPrefix("@") else { return nil }
        return String(text.dropFirst())
    }

    /// Keeps the value on top in the registry (popping it) and returns a handle to push it again.
    public func ref() -> LuaRef {
        LuaRef(state: state, ref: luaL_ref(L, LuaRef.registryIndex))
    }

    // MARK: Calls

    /// Loads `code` as a text chunk (binary chunks refused) named `name`, leaving the function on top.
    public func load(_ code: [UInt8], name: String) throws {
        let status = code.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { roster_load_text(L, $0.baseAddress, $0.count, name) }
        }
        if status != LUA_OK {
            let text = string(at: -1) ?? "error loading chunk"
            pop()
            throw LuaError.from(status: status, text: text, budgetHit: false)
        }
    }

    /// Calls the function below `arguments` values, protected, with a traceback; leaves `results`
    /// values (all when `LUA_MULTRET`). A callback (`budgeted`) gets a fresh instruction budget.
    public func call(arguments: Int32, results: Int32, budgeted: Bool = true) throws {
        // The budget is kept in C (roster_pcall_budgeted), read from the state's extra space.
        var hit: Int32 = 0
        let status = roster_pcall_budgeted(L, arguments, results, budgeted ? 1 : 0, &hit)
        try throwIfFailed(status: status, budgetHit: hit != 0)
    }

    /// Pops the error a protected call left and throws it as a LuaError (nothing when `status` is OK).
    public func throwIfFailed(status: Int32, budgetHit hit: Bool) throws {
        if status != LUA_OK {
            if let carried = carriedError(at: -1) {
                pop()
                throw LuaError.from(status: status, text: carried.text, budgetHit: hit, underlying: carried.error)
            }
            let text = string(at: -1) ?? "(error object is a \(type(at: -1).name) value)"
            pop()
            throw LuaError.from(status: status, text: text, budgetHit: hit)
        }
    }

    /// What the traceback handler made of a `roster.Error`: `{ object, "message\ntraceback" }`.
    private func carriedError(at index: Int32) -> (error: any Error, text: String)? {
        guard type(at: index) == .table else { return nil }
        let t = absolute(index)
        lua_rawgeti(L, t, 1)
        lua_rawgeti(L, t, 2)
        defer { pop(2) }
        guard let object = object(at: -2, className: LuaErrorObject.className, as: LuaErrorObject.self) else { return nil }
        return (object.error, string(at: -1) ?? object.message)
    }
}

/// A bad argument passed from Lua to a Swift function; raised in Lua with the caller's position.
public struct LuaArgumentError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A value kept alive in the registry; push it back with `push(on:)`. Released when dropped.
public final class LuaRef {
    weak var state: LuaState?
    let ref: Int32
    static var registryIndex: Int32 { roster_registryindex() }

    init(state: LuaState, ref: Int32) {
        self.state = state
        self.ref = ref
    }

    /// Pushes the kept value onto `stack`.
    public func push(on stack: LuaStack) {
        lua_rawgeti(stack.L, Self.registryIndex, lua_Integer(ref))
    }

    deinit {
        if let state { luaL_unref(state.L, Self.registryIndex, ref) }
    }
}

// MARK: Rows in bulk (tables keyed by a fixed list of names, values as bytes)

extension LuaStack {
    /// Pushes a new table mapping name i of the array at `keys` to field i's bytes (nil start: ""),
    /// with the metatable at `metatable` when given. Both indices must be absolute.
    public func pushRow(keys: Int32, metatable: Int32?, count: Int, starts: UnsafePointer<UnsafePointer<UInt8>?>,
                        lengths: UnsafePointer<Int>) throws {
        try reserve(4)
        roster_push_row(L, keys, metatable ?? 0, Int32(count), UnsafeRawPointer(starts).assumingMemoryBound(to: UnsafeRawPointer?.self), lengths)
    }

    /// Pushes the values of the table at `row` under the `count` names of the array at `keys` (both
    /// absolute) and points `starts`/`lengths` at their text, valid while they stay on the stack: a
    /// string as is, nil as "", a boolean as "true"/"false"; numbers are left as nil starts for the
    /// caller (`string(at:)` of slot `top - count + 1 + i`). Returns the non-nil count, the number
    /// count, or the 0-based index of a value of another type.
    public func pushRowValues(of row: Int32, keys: Int32, count: Int, starts: UnsafeMutablePointer<UnsafePointer<UInt8>?>,
                              lengths: UnsafeMutablePointer<Int>) throws -> (present: Int, numbers: Int, bad: Int?) {
        try reserve(Int32(clamping: count + 2))
        var numbers: Int32 = 0
        let base = top
        let result = roster_row_values(L, row, keys, Int32(count),
                                       UnsafeMutableRawPointer(starts).assumingMemoryBound(to: UnsafeRawPointer?.self), lengths, &numbers)
        if result < 0 {
            setTop(base)
            return (0, 0, Int(-result - 1))
        }
        return (Int(result), Int(numbers), nil)
    }

    /// What one call of a map or filter stage over one row left on the stack.
    public enum StageOutcome {
        /// Output rows pushed (a fan-out pushes its items; a kept filter row pushes the row).
        case rows(Int32)
        /// Skipped: the reason (a string, or nil) is on top.
        case skipped
        /// A map returned a value of this type, neither a table nor nil (nothing pushed).
        case badType(LuaType)
        /// A map returned a list whose item at this position is not a table (nothing pushed).
        case badItem(Int)
        /// Too many rows for the Lua stack: a list of over 1,000,000, or a stack that cannot grow (nothing pushed).
        case stackFull
        /// The call failed: `throwIfFailed(status:budgetHit:)` pops and throws its error.
        case failed(status: Int32, budgetHit: Bool)
    }

    /// Calls the function at `function` with the row at `row` and the ctx at `context` (absolute
    /// indices), under the instruction budget, and reads its results as a map or a filter stage.
    public func runStage(function: Int32, row: Int32, context: Int32, filter: Bool) -> StageOutcome {
        var status: Int32 = 0, hit: Int32 = 0, detail: Int32 = 0
        let outcome = roster_stage_row(L, function, row, context, filter ? 1 : 0, 1, &status, &hit, &detail)
        switch outcome {
        case ROSTER_STAGE_SKIP: return .skipped
        case ROSTER_STAGE_BAD_TYPE: return .badType(LuaType(rawValue: detail) ?? LuaType.none)
        case ROSTER_STAGE_BAD_ITEM: return .badItem(Int(detail))
        case ROSTER_STAGE_ERROR: return .failed(status: status, budgetHit: hit != 0)
        case ROSTER_STAGE_FULL: return .stackFull
        default: return .rows(outcome - ROSTER_STAGE_ROW + 1)
        }
    }

    /// Pushes the stage context kept at `context` with `row` and `line` set and `warnings` cleared.
    public func pushStageContext(_ context: LuaRef, row: Int, line: Int) {
        roster_stage_context(L, context.ref, lua_Integer(row), lua_Integer(line))
    }

    /// Removes `count` values starting at absolute index `index`; the values above move down.
    public func remove(count: Int32, at index: Int32) {
        guard count > 0 else { return }
        lua_rotate(L, index, -count)
        lua_settop(L, -count - 1)
    }

    /// How many entries the table at absolute index `table` has (all keys).
    public func entryCount(of table: Int32) -> Int { Int(roster_table_entries(L, table)) }
}
