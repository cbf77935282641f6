// The reading contract every format implements. Other modules (Sandbox, clients, Bindings) depend
// only on what is declared here; the formats live in their own folders.

/// The file formats Roster reads and writes.
public enum TableFormat: String, Sendable, CaseIterable {
    case csv, xlsx, xls, json, xml
}

/// A worksheet chosen by 1-based position or by name.
public enum SheetSelector: Sendable, Equatable {
    case index(Int)
    case name(String)
}

/// How to open a table; `nil` fields are sniffed from the content.
public struct ReadOptions: Sendable {
    public var format: TableFormat?
    public var sheet: SheetSelector?
    public var delimiter: UInt8?
    /// "auto" (default), "utf-8", "utf-16le", "utf-16be" or "windows-1252".
    public var encoding: String
    /// When false, columns are named "1", "2", ... and the first line is data.
    public var header: Bool
    /// Rows to pass over before the header (`skip`): title rows above a table, never counted as records.
    public var skip: Int = 0
    /// The 1-based line (CSV) or sheet row (XLSX) where the header is (`header = N`); rows above it are passed over.
    public var headerRow: Int = 1
    /// What a delimited record with fewer fields than the header becomes (`ragged`).
    public var ragged: RaggedRows = .reject
    /// The quote character of delimited text (`quote`); nil when quotes are ordinary text (`quote = false`).
    public var quote: UInt8? = 0x22
    /// Lines of delimited text starting with this byte are comments, passed over (`comment = "#"`).
    public var comment: UInt8?
    /// Columns to keep, each under the name the script sees (`columns`): in this order; nil keeps all.
    public var columns: [ColumnPick]?
    /// The ceiling for one field or cell, in bytes: a longer value rejects its record (`max_field_bytes`).
    public var maxFieldBytes: Int = ReadOptions.defaultMaxFieldBytes
    /// 16 MiB: far above any contact field, far below what would exhaust memory.
    public static let defaultMaxFieldBytes = 16 << 20

    /// A ceiling as people read it: "16 MiB", or "1000 bytes".
    static func describe(bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    public init(format: TableFormat? = nil, sheet: SheetSelector? = nil, delimiter: UInt8? = nil,
                encoding: String = "auto", header: Bool = true) {
        self.format = format
        self.sheet = sheet
        self.delimiter = delimiter
        self.encoding = encoding
        self.header = header
    }
}

/// Short delimited records: rejected (the default: a cut-off row's missing column is often the opt-out),
/// or padded with empty values and a warning when the file is known to drop trailing empty fields.
public enum RaggedRows: String, Sendable {
    case reject, pad
}

/// One data record: values aligned with the reader's header, and where it came from.
public struct Record: Sendable, Equatable {
    public var values: [String]
    /// 1-based record number among data records (the header is not counted).
    public var number: Int
    /// 1-based physical line (or spreadsheet row) where the record starts.
    public var line: Int
    /// What the reader noticed about this record and let through (a padded row, replaced bytes...):
    /// shown to the user with the record's number, never dropped.
    public var warnings: [String]

    public init(values: [String], number: Int, line: Int, warnings: [String] = []) {
        self.values = values
        self.number = number
        self.line = line
        self.warnings = warnings
    }
}

/// A record the reader could not accept; it is counted, never dropped.
public struct RejectedRecord: Sendable, Equatable, Error {
    public var number: Int
    public var line: Int
    public var reason: String
    /// The fields as far as they could be read, for the errors file.
    public var values: [String]

    public init(number: Int, line: Int, reason: String, values: [String]) {
        self.number = number
        self.line = line
        self.reason = reason
        self.values = values
    }
}

/// What one step of reading produced.
public enum ReadEvent: Sendable, Equatable {
    case record(Record)
    case rejected(RejectedRecord)
}

/// A streaming reader over one table: pull events until `nil`.
public protocol TableReader: AnyObject {
    /// Column names, made unique and non-blank.
    var header: [String] { get }
    /// What was detected about the source, plus warnings gathered so far.
    var info: SourceInfo { get }
    /// The next record or rejection, or `nil` at the end. Throws only when reading cannot go on.
    func next() throws -> ReadEvent?
}

/// Facts about a source as detected while opening and reading it.
public struct SourceInfo: Sendable, Equatable {
    public var path: String
    public var format: TableFormat
    public var encoding: String?
    public var delimiter: UInt8?
    public var sheets: [String]
    public var warnings: [String]

    public init(path: String, format: TableFormat, encoding: String? = nil, delimiter: UInt8? = nil,
                sheets: [String] = [], warnings: [String] = []) {
        self.path = path
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self.sheets = sheets
        self.warnings = warnings
    }
}
