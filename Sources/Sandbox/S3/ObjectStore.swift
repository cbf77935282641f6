import Foundation

/// An object stored by the emulated S3: where its bytes are and what the form said about it.
public struct StoredObject: Sendable, Equatable, Codable {
    /// Bucket and final key (after `${filename}` expansion).
    public var bucket: String
    public var key: String
    /// File holding the bytes; its extension follows the key so readers can sniff the format.
    public var path: String
    /// Size in bytes and the `Content-Type` form field, if sent.
    public var size: Int64
    public var contentType: String?
    /// Quoted MD5 hex, as S3 reports it.
    public var etag: String
    /// When the upload completed.
    public var storedAt: Date
}

/// Objects by key, with the bytes in files under one folder.
actor ObjectStore {
    let folder: URL
    private var objects: [String: StoredObject] = [:]
    /// Objects committed since start or `resetCounters()`, replacements included (restored ones are not counted; not saved).
    private var committed = 0

    init(folder: URL) { self.folder = folder }

    /// A fresh path for streaming an upload; it becomes the object's file on `commit`.
    nonisolated func temporaryPath(forKey key: String) -> String {
        let base = key.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? "object"
        let safe = String(base.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" }.suffix(80))
        return folder.appendingPathComponent("\(UUID().uuidString)-\(safe)").path
    }

    /// Records the object; a previous object under the same key is replaced and its file removed.
    func commit(_ object: StoredObject) {
        if let old = objects[object.key], old.path != object.path {
            try? FileManager.default.removeItem(atPath: old.path)
        }
        objects[object.key] = object
        committed += 1
    }

    /// Objects committed (see `committed`) and objects held now (a key committed twice is one object).
    func counts() -> (committed: Int, stored: Int) { (committed, objects.count) }

    func resetCounters() { committed = 0 }

    func object(forKey key: String) -> StoredObject? { objects[key] }

    /// The newest object whose key starts with `prefix` (an Omnigage upload's folder).
    func newestObject(withPrefix prefix: String) -> StoredObject? {
        objects.values.filter { $0.key.hasPrefix(prefix) }.max { $0.storedAt < $1.storedAt }
    }

    func restore(_ list: [StoredObject]) {
        objects = Dictionary(list.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
    }

    func all() -> [StoredObject] { objects.values.sorted { $0.key < $1.key } }
}
