import Foundation
import Logging

/// Writes `level: message` lines to stderr; the only place Roster decides where logs go.
struct StderrLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info
    /// The progress line to clear before a message is written, when one is shown.
    var progress: TerminalProgress?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level: String
        switch event.level {
        case .trace: level = "trace"
        case .debug: level = "debug"
        case .info: level = "info"
        case .notice: level = "notice"
        case .warning: level = "warn"
        case .error: level = "error"
        case .critical: level = "critical"
        }
        var extra = metadata
        if let m = event.metadata { extra.merge(m) { _, new in new } }
        let suffix = extra.isEmpty ? "" : " " + extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(level): \(event.message)\(suffix)\n"
        if let progress {
            progress.interrupt { FileHandle.standardError.write(Data(line.utf8)) }
        } else {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}
