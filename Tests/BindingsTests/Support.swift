import Foundation
@_exported import RosterTestSupport  // temp-file helpers for every file of this target
import Logging
@testable import Bindings
import LuaRuntime

/// Collects log lines so tests can check what a script logged.
final class LogCollector: @unchecked Sendable {  // lines guarded by `lock`
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

struct CollectingHandler: LogHandler {
    let collector: LogCollector
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { collector.append("\(event.level): \(event.message)") }
}

/// Runs `code` as `@job.lua` with `dir` as its argument in a fresh host; the Lua error it raised, or nil.
func scriptError(_ code: String, in dir: String) throws -> LuaError? {
    let host = try ScriptHost(options: LuaOptions(pluginDirectories: []), context: RosterContext(logger: .init(label: "t"), environment: [:]))
    do {
        _ = try host.state.run(code, name: "@job.lua", arguments: [dir])
        return nil
    } catch let error as LuaError {
        return error
    }
}

func makeHost(environment: [String: String] = [:], level: Logger.Level = .info, plugins: [String] = [],
              collector: LogCollector = LogCollector()) throws -> ScriptHost {
    var logger = Logger(label: "test") { _ in CollectingHandler(collector: collector) }
    logger.logLevel = level
    return try ScriptHost(options: LuaOptions(pluginDirectories: plugins),
                          context: RosterContext(logger: logger, environment: environment))
}

