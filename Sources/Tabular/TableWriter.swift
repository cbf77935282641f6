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

/// How delimited output is laid out (`roster.write` options); XLSX, JSON and XML take only `header`.
public struct WriteOptions: Sendable, Equatable {
    public enum Encoding: String, Sendable, CaseIterable {
        /// UTF-8 without a byte order mark (RFC 4180 readers, databases, the vendors).
        case utf8 = "utf-8"
        /// UTF-8 with a byte order mark: what Excel on Windows needs to show accented names right.
        case utf8BOM = "utf-8-bom"
        /// Windows-1252, for old Windows tools; a character it cannot hold is an error, never a `?`.
        case cp1252 = "cp1252"
    }

    public enum LineEnding: String, Sendable, CaseIterable {
        case crlf, lf
    }

    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var encoding: Encoding = .utf8
    public var lineEnding: LineEnding = .crlf
    /// Quote every field (`quote = "all"`), not only those that need it (`"minimal"`).
    public var quoteAll = false
    /// Write the header line (`header = false`: rows only).
    public var header = true

    public init() {}

    /// The defaults: RFC 4180, UTF-8, CRLF, minimal quoting, a header.
    public var isPlain: Bool { self == WriteOptions() }
}

/// A streaming writer: the header first, then rows aligned with it, then `finish`.
public protocol TableWriter: AnyObject {
    func writeHeader(_ header: [String]) throws
    func writeRow(_ values: [String]) throws
    func finish() throws -> WriteSummary
}
