import Digests
import Foundation
import Transport

/// What makes two runs "the same job": the script, the input's content, the target and its account
/// or workspace, and the mapping and options. Equal identities share one journal.
public struct JobIdentity: Sendable, Equatable {
    public var script: String
    public var input: String
    public var target: String
    public var account: String
    public var settings: String

    /// Creates an identity from content hashes (`script`, `input`) and settings text.
    public init(script: String, input: String, target: String, account: String, settings: String) {
        self.script = script
        self.input = input
        self.target = target
        self.account = account
        self.settings = settings
    }

    /// A short stable key for file names.
    public var key: String {
        String(ContentHash.of(Array([script, input, target, account, settings].joined(separator: "\u{1F}").utf8)).prefix(32))
    }
}

/// What identifies one version of a file without reading it: device, inode, size and modification time.
/// Compared before and after reading, it tells a file that was still being written.
public struct FileStamp: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: Int64

    /// The file's stamp now; nil when it cannot be stat'ed.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    /// The size as read into the stamp.
    public var bytes: Int64 { size }
}

/// SHA-256 of bytes or of a file (streamed), as lowercase hex.
public enum ContentHash {
    public static func of(_ bytes: [UInt8]) -> String {
        DigestAlgorithm.sha256.hash(bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The hash of the file at `path`, read in 1 MB chunks.
    public static func of(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw JobError(.usage, stage: "read", "cannot open \(path) to hash it")
        }
        defer { try? handle.close() }
        var hasher = StreamingDigest(.sha256)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// One job's journal: JSON lines under `.roster/journal/`, each remote stage appended and fsync'd
/// once it succeeded, so a re-run after a crash resumes from the last finished stage. A torn last
/// line (a crash mid-write) is cut off when the journal is opened.
public final class Journal {
    public let path: String
    public private(set) var entries: [[String: JSONValue]] = []
    /// The open lock file: one run at a time works on a job (a second cron run waits for nothing and stops).
    private let lock: Int32

    /// Opens (or creates) the journal of `identity` in `directory`, and takes its lock: a second run of
    /// the same job while this one is working stops with an error instead of importing twice.
    public init(directory: String, identity: JobIdentity) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("\(identity.target)-\(identity.key).jsonl")
        lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw JobError(.usage, stage: "journal", "cannot create the lock of \(path) (errno \(errno))") }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw JobError(.usage, stage: "journal",
                           "another roster run is working on this job right now (journal \(path)); wait for it to finish, then run again")
        }
        try load()
    }

    deinit {
        flock(lock, LOCK_UN)
        close(lock)
    }

    private func load() throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        var bytes = [UInt8](data)
        if let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            if lastNewline != bytes.count - 1 { try truncate(to: lastNewline + 1); bytes.removeSubrange((lastNewline + 1)...) }
        } else if !bytes.isEmpty {
            try truncate(to: 0)
            bytes = []
        }
        for line in bytes.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            if case .object(let entry)? = try? JSONValue.parse(Array(line)) { entries.append(entry) }
        }
    }

    private func truncate(to length: Int) throws {
        do {
            guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteNoPermission) }
            defer { try? handle.close() }
            try handle.truncate(atOffset: UInt64(length))
        } catch {
            throw JobError(.usage, stage: "journal", "cannot repair the journal \(path): \(error)")
        }
    }

    /// Appends `event` with `fields` and the time, and forces it to disk before returning.
    public func append(_ event: String, _ fields: [String: JSONValue] = [:]) throws {
        var entry = fields
        entry["event"] = .string(event)
        entry["at"] = .string(Self.timestamp(Date()))
        let line = JSONValue.object(entry).encoded() + [UInt8(ascii: "\n")]
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JobError(.usage, stage: "journal", "cannot write the journal \(path) (errno \(errno))") }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count, fsync(fd) == 0 else {
            throw JobError(.usage, stage: "journal", "cannot write the journal \(path) (errno \(errno))")
        }
        entries.append(entry)
    }

    /// The last entry of `event`, if any.
    public func last(_ event: String) -> [String: JSONValue]? {
        entries.last { $0["event"] == .string(event) }
    }

    /// The last entry whose event is one of `events` and that `matches`, if any.
    public func last(among events: Set<String>, where matches: ([String: JSONValue]) -> Bool = { _ in true }) -> [String: JSONValue]? {
        entries.last { entry in (entry["event"]?.stringValue.map(events.contains) ?? false) && matches(entry) }
    }

    /// Every entry of `event`, in order.
    public func all(_ event: String) -> [[String: JSONValue]] {
        entries.filter { $0["event"] == .string(event) }
    }

    /// Forgets everything (`--fresh`): the file is removed and a later append starts a new one.
    public func reset() throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        entries = []
    }

    static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
