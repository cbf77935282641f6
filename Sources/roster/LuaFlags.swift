import ArgumentParser
import Bindings
import Foundation
import Logging
import LuaRuntime

/// Flags shared by every command that runs Lua: limits, sandbox and plugin path.
struct LuaFlags: ParsableArguments {
    @Flag(help: "Lift the script sandbox (os.execute, io.popen, C modules, binary chunks) for trusted automation.")
    var unsafe = false

    @Option(name: .customLong("lua-memory"), help: "Memory ceiling for Lua, e.g. 512M or 2G (0 = none).")
    var luaMemory = "1G"

    @Option(name: .customLong("lua-budget"), help: "VM instructions allowed per callback (0 = unlimited).")
    var luaBudget: Int64 = 200_000_000

    @Option(name: .customLong("callback-timeout"), help: "Wall-clock seconds one callback (a transform, a hook) may run (0 = unlimited).")
    var callbackTimeout: Double = 60

    @Option(name: .customLong("plugins"), help: "Another plugin directory (repeatable); also ROSTER_PLUGIN_PATH.")
    var pluginDirs: [String] = []

    @Option(name: .customLong("allow-path"), help: "Another folder scripts may read and write (repeatable); by default the working folder, the script's and plugins' folders, the arguments and the temp folder.")
    var allowPaths: [String] = []

    func validate() throws {
        _ = try memoryLimit()
        if luaBudget < 0 { throw ValidationError("--lua-budget must be 0 or more") }
        if callbackTimeout < 0 { throw ValidationError("--callback-timeout must be 0 or more") }
        for (flag, dirs) in [("--plugins", pluginDirs), ("--allow-path", allowPaths)] {
            for dir in dirs {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: dir, isDirectory: &isFolder), isFolder.boolValue else {
                    throw ValidationError("\(flag) \(dir): no such folder")
                }
            }
        }
    }

    /// `--lua-memory` in bytes.
    func memoryLimit() throws -> Int {
        guard let bytes = ByteSize.parse(luaMemory) else {
            throw ValidationError("--lua-memory '\(luaMemory)' is not a size: use bytes or a number with K, M or G (e.g. 512M)")
        }
        return bytes
    }

    /// The Lua options; with `script`, a sandboxed run may reach files only in the working folder, the
    /// script's and plugins' folders, the paths given as `arguments`, the temp folder and `--allow-path`.
    func options(environment: [String: String], script: String? = nil, arguments: [String] = []) throws -> LuaOptions {
        let plugins = ScriptHost.pluginDirectories(flags: pluginDirs, environment: environment)
        var access: FileAccess?
        if let script, !unsafe {
            let fm = FileManager.default
            var folders = [fm.currentDirectoryPath, (script as NSString).deletingLastPathComponent, NSTemporaryDirectory(), "/tmp"]
                + plugins + allowPaths
            var files: [String] = []
            for argument in arguments where !argument.isEmpty {
                var isFolder: ObjCBool = false
                if fm.fileExists(atPath: argument, isDirectory: &isFolder), isFolder.boolValue { folders.append(argument) } else { files.append(argument) }
            }
            access = FileAccess(folders: folders.filter { !$0.isEmpty }, files: files)
        }
        return LuaOptions(memoryLimit: try memoryLimit(), instructionBudget: luaBudget, sandboxed: !unsafe, pluginDirectories: plugins,
                          fileAccess: access, callbackTimeout: callbackTimeout)
    }
}

/// Output flags shared by commands.
struct OutputFlags: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Only warnings and errors on stderr.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Debug output on stderr, including HTTP requests (secrets redacted).")
    var verbose = false

    @Flag(help: "Print a machine-readable JSON summary as the last line of stdout.")
    var json = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }

    var logLevel: Logger.Level { verbose ? .debug : quiet ? .warning : .info }

    /// The logger; with `progress`, each message first clears the progress line (redrawn by the next update).
    func logger(progress: TerminalProgress? = nil) -> Logger {
        var logger = Logger(label: "roster") { _ in StderrLogHandler(progress: progress) }
        logger.logLevel = logLevel
        return logger
    }
}

/// Sizes like `512M`, `1G`, `65536`.
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [(String, Int)] = [("GB", 1 << 30), ("G", 1 << 30), ("MB", 1 << 20), ("M", 1 << 20), ("KB", 1 << 10), ("K", 1 << 10), ("B", 1)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count)), n >= 0, n * Double(factor) < Double(Int.max / 2) else { return nil }
            return Int(n * Double(factor))
        }
        guard let n = Int(t), n >= 0 else { return nil }
        return n
    }
}
