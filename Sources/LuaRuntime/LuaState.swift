import CLua
import CLuaShim
import Foundation

/// Settings for one Lua state: limits, sandbox and where `require` looks for plugins.
public struct LuaOptions: Sendable {
    /// Ceiling on the state's memory in bytes (0 = none). Default 1 GiB.
    public var memoryLimit: Int
    /// VM instructions allowed per callback from Swift (0 = unlimited). The main chunk is unlimited.
    public var instructionBudget: Int64
    /// When true (the default) scripts cannot run programs, load C code or binary chunks.
    public var sandboxed: Bool
    /// Directories searched by `require "NAME"` for `NAME.lua` and `NAME/init.lua`, in order.
    public var pluginDirectories: [String]
    /// Where a sandboxed script may open, remove and rename files (nil: anywhere).
    public var fileAccess: FileAccess?
    /// Wall-clock seconds one callback (a transform, a hook) may run (0 = unlimited).
    public var callbackTimeout: Double

    public init(memoryLimit: Int = 1 << 30, instructionBudget: Int64 = 200_000_000, sandboxed: Bool = true,
                pluginDirectories: [String] = ["plugins"], fileAccess: FileAccess? = nil, callbackTimeout: Double = 60) {
        self.memoryLimit = memoryLimit
        self.instructionBudget = instructionBudget
        self.callbackTimeout = callbackTimeout
        self.sandboxed = sandboxed
        self.pluginDirectories = pluginDirectories
        self.fileAccess = fileAccess
    }
}

/// Owns one `lua_State` with its limits. Not thread-safe: one state belongs to one thread at a time.
public final class LuaState {
    /// The main thread's stack.
    public var stack: LuaStack { LuaStack(L, state: self) }
    let limits: UnsafeMutablePointer<roster_limits>
    let L: OpaquePointer
    public let options: LuaOptions
    /// The short kind name a script sees in `err.kind` for a Swift error (the host classifies its errors).
    public var errorKind: (any Error) -> String = { _ in "error" }

    /// Creates a state with the standard libraries, the sandbox (unless disabled) and the plugin path.
    public init(options: LuaOptions = LuaOptions()) throws {
        self.options = options
        limits = UnsafeMutablePointer<roster_limits>.allocate(capacity: 1)
        limits.initialize(to: roster_limits())
        let limit = max(0, options.memoryLimit)
        limits.pointee.limit = size_t(limit)
        // Swift code may overshoot the ceiling by a margin instead of longjmp-ing through its frames.
        limits.pointee.hard_limit = limit == 0 ? 0 : size_t(limit + max(64 << 20, limit / 8))
        limits.pointee.in_swift = 1
        limits.pointee.default_budget = options.instructionBudget
        limits.pointee.callback_limit = options.callbackTimeout > 0 ? Int64(options.callbackTimeout * 1e9) : 0
        guard let L = roster_newstate(limits) else {
            limits.deallocate()
            throw LuaError(kind: .memory, message: "could not create a Lua state")
        }
        self.L = L
        limits.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        luaL_openlibs(L)
        roster_gc_generational(L)
        roster_install_budget_hook(L)
        stack.defineErrorClass()
        try installPackagePath()
        if options.sandboxed { try installSandbox() }
    }

    deinit {
        // Closing runs every pending __gc finalizer, and Lua turns hooks off inside finalizers, so no
        // budget or stop flag reaches one that never ends. A watch ends the process instead of letting
        // it hang after the script has finished: after the callback limit (60 s when unlimited).
        let limit = limits.pointee.callback_limit > 0 ? Double(limits.pointee.callback_limit) / 1e9 : 60
        let closed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            guard closed.wait(timeout: .now() + limit) == .timedOut else { return }
            FileHandle.standardError.write(Data(("roster: a __gc finalizer was still running \(Int(limit)) s after the script ended "
                + "(an endless loop in a finalizer?); exiting (the journal keeps what was done)\n").utf8))
            _exit(1)
        }
        lua_close(L)
        closed.signal()
        limits.deallocate()
    }

    /// The owner of a raw state pointer (any of its threads).
    static func owner(of L: OpaquePointer) -> LuaState? {
        guard let lim = roster_limits_of(L), let owner = lim.pointee.owner else { return nil }
        return Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
    }

    /// A handle that stops the Lua code running in this state from another thread (a signal handler).
    public var stopHandle: LuaStopHandle { LuaStopHandle(limits: limits) }

    /// Whether `stopHandle.stop()` was called: Lua code is being stopped, errors are not the script's.
    public var stopRequested: Bool { roster_stop_requested(limits) != 0 }

    /// Bytes currently allocated by Lua, and the peak so far.
    public var memoryUsed: Int { Int(limits.pointee.used) }
    public var memoryPeak: Int { Int(limits.pointee.peak) }

    // MARK: Running code

    /// Loads and runs a script file as `lua` does: `arg` holds the script at 0 and `arguments` from 1,
    /// and the chunk receives `arguments` as `...`. Returns what the chunk returned.
    @discardableResult
    public func runScript(path: String, arguments: [String] = []) throws -> [LuaValue] {
        var values: [LuaValue] = []
        try runScript(path: path, arguments: arguments) { s, first, count in
            values = try (first ..< first + count).map { try s.value(at: $0) }
        }
        return values
    }

    /// Runs a script file as ``runScript(path:arguments:)`` does, then hands its results, still on the
    /// stack (`first` index, `count` values), to `results` before they are dropped.
    public func runScript(path: String, arguments: [String], results: (LuaStack, Int32, Int32) throws -> Void) throws {
        let top = stack.top
        defer { stack.setTop(top) }
        try stack.reserve(Int32(clamping: arguments.count + 8))
        try loadFile(path: path)
        stack.newTable(arrayCapacity: arguments.count, fieldCapacity: 1)
        stack.push(path)
        lua_rawseti(L, -2, 0)
        for (i, a) in arguments.enumerated() {
            stack.push(a)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
        lua_setglobal(L, "arg")
        for a in arguments { stack.push(a) }
        try stack.call(arguments: Int32(arguments.count), results: LUA_MULTRET, budgeted: false)
        try results(stack, top + 1, stack.top - top)
    }

    /// Calls the chunk at `top + 1` with string `arguments` (unbudgeted) and copies out every result.
    private func callChunk(above top: Int32, arguments: [String]) throws -> [LuaValue] {
        for a in arguments { stack.push(a) }
        try stack.call(arguments: Int32(arguments.count), results: LUA_MULTRET, budgeted: false)
        return try (top + 1 ..< stack.top + 1).map { try stack.value(at: $0) }
    }

    /// Loads a script file as a text chunk named after its path; leaves the function on the stack.
    public func loadFile(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LuaError(kind: .file, message: "cannot open \(path): \(FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")")
        }
        var bytes = [UInt8](data)
        // A first line starting with '#' (a shebang) is skipped, keeping its newline so lines still count right.
        if bytes.first == UInt8(ascii: "#") {
            let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            bytes.replaceSubrange(0 ..< end, with: [])
        }
        try stack.load(bytes, name: "@" + path)
    }

    /// Runs a string of Lua code (named `name` in messages) with string `arguments` as `...`.
    @discardableResult
    public func run(_ code: String, name: String = "=(roster)", arguments: [String] = []) throws -> [LuaValue] {
        let top = stack.top
        defer { stack.setTop(top) }
        try stack.reserve(Int32(clamping: arguments.count + 8))
        try stack.load(Array(code.utf8), name: name)
        return try callChunk(above: top, arguments: arguments)
    }

    /// Sets global `name` to a Swift function.
    public func register(_ name: String, _ function: @escaping LuaFunction) {
        stack.push(function: function)
        lua_setglobal(L, name)
    }

    // MARK: Set-up

    private func installPackagePath() throws {
        var entries: [String] = []
        for dir in options.pluginDirectories where !dir.isEmpty {
            let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
            entries.append("\(base)/?.lua")
            entries.append("\(base)/?/init.lua")
        }
        lua_getglobal(L, "package")
        let path = entries.joined(separator: ";")
        if options.sandboxed {
            stack.push(path)
        } else {
            lua_getfield(L, -1, "path")
            let standard = stack.string(at: -1) ?? ""
            stack.pop()
            stack.push(path.isEmpty ? standard : path + ";" + standard)
        }
        lua_setfield(L, -2, "path")
        stack.pop()
    }

    private func installSandbox() throws {
        try run(Self.sandboxScript, name: "=[roster sandbox]")
        if options.fileAccess != nil {
            register("__roster_path_refusal") { [unowned self] s in
                let path = try s.checkString(1, function: "path check")
                if let why = self.fileRefusal(path) { s.push(why) } else { s.pushNil() }
                return 1
            }
            try run(Self.fileAccessScript, name: "=[roster sandbox]")
        }
    }

    /// Why a sandboxed script may not use `path` (nil when it may, or when files are unrestricted).
    public func fileRefusal(_ path: String) -> String? {
        guard options.sandboxed, let access = options.fileAccess else { return nil }
        return access.refusal(for: path)
    }

    /// Throws when a sandboxed script may not use `path` (for Swift functions that open files for scripts).
    public func checkFile(_ path: String, function: String) throws {
        if let why = fileRefusal(path) { throw LuaArgumentError(message: "\(function): \(why)") }
    }

    /// Wraps the functions that reach files so a path outside `fileAccess` is an error naming it.
    static let fileAccessScript = """
        local refusal = __roster_path_refusal
        __roster_path_refusal = nil
        local error, type = error, type
        local function check(path, name)
          if type(path) ~= "string" then return end
          local why = refusal(path)
          if why then error(name .. ": " .. why, 3) end
        end
        local open, lines, input, output, remove, rename = io.open, io.lines, io.input, io.output, os.remove, os.rename
        local loadfile, dofile = loadfile, dofile
        io.open = function(path, ...) check(path, "io.open") return open(path, ...) end
        io.lines = function(path, ...) check(path, "io.lines") return lines(path, ...) end
        io.input = function(f) check(f, "io.input") return input(f) end
        io.output = function(f) check(f, "io.output") return output(f) end
        os.remove = function(path) check(path, "os.remove") return remove(path) end
        os.rename = function(from, to) check(from, "os.rename") check(to, "os.rename") return rename(from, to) end
        _G.loadfile = function(path, ...) check(path, "loadfile") return loadfile(path, ...) end
        _G.dofile = function(path) check(path, "dofile") return dofile(path) end
        """

    /// Removes what lets a script escape: programs, C code, binary chunks, the debug hooks.
    static let sandboxScript = """
        local load, loadfile, select, error, format = load, loadfile, select, error, string.format
        os.execute = nil
        io.popen = nil
        string.dump = nil
        package.loadlib = nil
        package.cpath = ""
        local searchers = package.searchers
        for i = #searchers, 3, -1 do searchers[i] = nil end
        searchers[2] = function(name)
          local path, err = package.searchpath(name, package.path)
          if not path then return err end
          local chunk, lerr = loadfile(path, "t")
          if not chunk then
            error(format("error loading module '%s' from file '%s':\\n\\t%s", name, path, lerr), 2)
          end
          return chunk, path
        end
        _G.load = function(chunk, name, mode, ...)
          if select("#", ...) > 0 then return load(chunk, name, "t", ...) end
          return load(chunk, name, "t")
        end
        _G.loadfile = function(filename, mode, ...)
          if select("#", ...) > 0 then return loadfile(filename, "t", ...) end
          return loadfile(filename, "t")
        end
        _G.dofile = function(filename)
          local chunk, err = _G.loadfile(filename)
          if not chunk then error(err, 2) end
          return chunk()
        end
        local traceback = debug.traceback
        _G.debug = { traceback = traceback }
        package.loaded.debug = _G.debug
        """
}

/// Stops a state's Lua code from any thread; valid while its `LuaState` lives.
public struct LuaStopHandle: @unchecked Sendable {  // a pointer used only with an atomic store, while the state lives
    let limits: UnsafeMutablePointer<roster_limits>

    /// Raises "interrupted" in the running Lua code at its next hook step.
    public func stop() { roster_request_stop(limits) }

    /// Seconds the running callback has run in Lua or the C library (0 when none runs, or while one of
    /// Roster's own functions is running for it).
    public var callbackSeconds: Double { Double(roster_callback_stuck(limits)) / 1e9 }
}
