// The writing contract: rows go out in a fixed column order, streamed to disk.

/// What a finished write produced.
public struct WriteSummary: Sendable, Equatable {
    public var path: String
    public var rows: Int
    public var bytes: Int

    public init(path: String, rows: Int, bytes: Int) {
        self.path = path
        self.rows = rows
        self.bytes = bytes
    }
}

/// A streaming writer: the header first, then rows aligned with it, then `finish`.
public protocol TableWriter: AnyObject {
    func writeHeader(_ header: [String]) throws
    func writeRow(_ values: [String]) throws
    func finish() throws -> WriteSummary
}
