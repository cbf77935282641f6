import Foundation
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

func makeHost(environment: [String: String] = [:], level: Logger.Level = .info, plugins: [String] = [],
              collector: LogCollector = LogCollector()) throws -> ScriptHost {
    var logger = Logger(label: "test") { _ in CollectingHandler(collector: collector) }
    logger.logLevel = level
    return try ScriptHost(options: LuaOptions(pluginDirectories: plugins),
                          context: RosterContext(logger: logger, environment: environment))
}

func makeTemporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-bind-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@discardableResult
func writeFile(_ dir: String, _ name: String, _ text: String) throws -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
