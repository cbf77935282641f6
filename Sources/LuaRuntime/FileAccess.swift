import Foundation

/// Where a sandboxed script may reach files: folders (with everything under them) and single files,
/// compared after symlinks and `..` are resolved. `/proc` and `/sys` are never reachable.
public struct FileAccess: Sendable {
    /// Canonical folders.
    public private(set) var folders: [String]
    /// Canonical single files (e.g. a script's arguments, an output path not yet written).
    public private(set) var files: [String]
    static let forbidden = ["/proc", "/sys"]

    /// Allows `folders` and `files` (relative paths are taken from the working directory).
    public init(folders: [String], files: [String] = []) {
        self.folders = Array(Set(folders.map(Self.canonical))).sorted()
        self.files = Array(Set(files.map(Self.canonical))).sorted()
    }

    /// Nil when `path` may be used; otherwise why not.
    public func refusal(for path: String) -> String? {
        let real = Self.canonical(path)
        if Self.forbidden.contains(where: { real == $0 || real.hasPrefix($0 + "/") }) {
            return "\(path) is a system path scripts may not use"
        }
        if files.contains(real) { return nil }
        if folders.contains(where: { $0 == "/" || real == $0 || real.hasPrefix($0 + "/") }) { return nil }
        return "\(path) is outside the folders this script may use (the working folder, the script's and plugins' folders, "
            + "its arguments and the temp folder): allow it with --allow-path \((real as NSString).deletingLastPathComponent) or run with --unsafe"
    }

    /// The absolute path with symlinks and `..` resolved; for a path that does not exist yet, its
    /// deepest existing folder is resolved and the rest appended.
    public static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var head = (absolute as NSString).standardizingPath
        var tail: [String] = []
        while true {
            if let resolved = realpath(head, nil) {
                defer { free(resolved) }
                let base = String(cString: resolved)
                return tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            let parent = (head as NSString).deletingLastPathComponent
            if parent == head || parent.isEmpty { return absolute }
            tail.append((head as NSString).lastPathComponent)
            head = parent
        }
    }
}
