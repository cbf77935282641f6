import Foundation

/// The private folders a run keeps contact data in (the file sent, the record log), created 0700, and
/// the partial output files being written: removed when their job ends, and by `removeAll` on every
/// other way out (a second Ctrl-C, the watchdog, the timeout), so no contact file outlives the run and
/// no half-written file is left beside the output.
public final class TemporaryFolders: @unchecked Sendable {  // `paths` is only touched while holding `lock`
    private let lock = NSLock()
    private var paths: Set<String> = []

    public init() {}

    /// A new private folder under the temp directory.
    public func make() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roster-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        lock.withLock { _ = paths.insert(url.path) }
        return url.path
    }

    /// Registers a file written elsewhere (a partial output) for removal on a hard exit.
    public func track(_ path: String) {
        lock.withLock { _ = paths.insert(path) }
    }

    /// Forgets a tracked file (it was renamed into place or removed).
    public func forget(_ path: String) {
        lock.withLock { _ = paths.remove(path) }
    }

    /// Removes one folder made here.
    public func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        lock.withLock { _ = paths.remove(path) }
    }

    /// Removes every folder still there (from any thread, e.g. just before the process exits).
    public func removeAll() {
        for path in lock.withLock({ paths }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
