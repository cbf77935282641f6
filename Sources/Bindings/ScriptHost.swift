import Foundation
import LuaRuntime
import Pipeline

/// One Lua state with the `roster` module installed: what `roster run`, `check` and `plugins` use.
public final class ScriptHost {
    public let state: LuaState
    let module: RosterModule

    /// Creates a state with `options` and installs the `roster` module with `context`.
    public init(options: LuaOptions, context: RosterContext) throws {
        state = try LuaState(options: options)
        module = try RosterModule.install(into: state, context: context)
    }

    /// The run's report: inputs and their row counts, imports, warnings, failure.
    public var report: RunReport { module.context.report }

    /// Runs `script` with `arguments` as `lua` would (`arg`, `...`); when the chunk returns a job
    /// (`return roster.job{...}`), runs it. The run's HTTP transport is shut down when the script
    /// ends, whatever the outcome. Throws the script's `LuaError` or the job's `JobError`.
    /// Returns what the chunk returned.
    @discardableResult
    public func run(script: String, arguments: [String]) throws -> [LuaValue] {
        defer { module.context.session.shutdown() }
        var values: [LuaValue] = []
        try state.runScript(path: script, arguments: arguments) { s, first, count in
            values = try (first ..< first + count).map { try s.value(at: $0) }
            guard count > 0, let job = s.object(at: first, className: JobHandle.className, as: JobHandle.self), !job.ran else { return }
            _ = try module.jobs.run(job, on: s)
        }
        return values
    }

    /// The run's client session (transport, sandbox).
    public var session: ClientSession { module.context.session }

    /// The plugin directories in search order: `./plugins`, each `--plugins DIR`, then `ROSTER_PLUGIN_PATH`.
    public static func pluginDirectories(flags: [String], environment: [String: String]) -> [String] {
        var dirs = ["plugins"] + flags
        if let path = environment["ROSTER_PLUGIN_PATH"] {
            dirs += path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        var seen = Set<String>()
        return dirs.filter { seen.insert($0).inserted }
    }
}
