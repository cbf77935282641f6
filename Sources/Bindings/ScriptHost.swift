import Foundation
import LuaRuntime

/// One Lua state with the `roster` module installed: what `roster run`, `check` and `plugins` use.
public final class ScriptHost {
    public let state: LuaState
    let module: RosterModule
    /// Row accounting of every table the script opened.
    public var ledger: RunLedger { module.ledger }

    /// Creates a state with `options` and installs the `roster` module with `context`.
    public init(options: LuaOptions, context: RosterContext) throws {
        state = try LuaState(options: options)
        module = try RosterModule.install(into: state, context: context)
    }

    /// Runs `script` with `arguments` as `lua` would (`arg`, `...`); returns what the chunk returned.
    @discardableResult
    /// The run's HTTP transport is shut down when the script ends, whatever the outcome.
    public func run(script: String, arguments: [String]) throws -> [LuaValue] {
        defer { module.context.session.shutdown() }
        return try state.runScript(path: script, arguments: arguments)
    }

    /// The run's client session (transport, sandbox, failures seen), e.g. to pick an exit code.
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
