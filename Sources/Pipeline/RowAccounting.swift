import Tabular

/// How one input record ended: every record read ends in exactly one of these.
public enum RowOutcome: String, Sendable, Codable {
    case sent, skipped, rejected
    /// Sent, then erred by the vendor (reported in the errors and results files; counted as sent).
    case erred
}

/// A skipped or rejected record, with where it came from and why.
public struct RowIssue: Sendable, Equatable {
    public var outcome: RowOutcome
    /// 1-based record number among data records.
    public var record: Int
    /// Physical line (or spreadsheet row) where the record starts.
    public var line: Int
    public var reason: String
    /// The record's original values, in `header` order (for the errors file).
    public var values: [String]
    /// Where it happened: `read`, `transform`, `write`, `vendor`...
    public var stage: String
    /// What the reader noticed about the record before it was skipped or rejected (e.g. it was padded).
    public var warnings: [String]

    public init(outcome: RowOutcome, record: Int, line: Int, reason: String, values: [String], stage: String = "read",
                warnings: [String] = []) {
        self.outcome = outcome
        self.record = record
        self.line = line
        self.reason = reason
        self.values = values
        self.stage = stage
        self.warnings = warnings
    }
}

/// A record let through with warnings (a padded row, a number stored as text...).
public struct RowWarning: Sendable, Equatable, CustomStringConvertible {
    public var record: Int
    public var line: Int
    public var warnings: [String]

    public init(record: Int, line: Int, warnings: [String]) {
        self.record = record
        self.line = line
        self.warnings = warnings
    }

    /// `row 41 (line 43): 5 field(s), the header has 6: padded...`
    public var description: String { "row \(record) (line \(line)): " + warnings.joined(separator: "; ") }
}

/// Counts every record of one input as read, then sent, skipped or rejected; keeps the first issues
/// in memory and streams all of them to an optional sink (the errors file).
public final class RowAccounting {
    public private(set) var read = 0
    public private(set) var sent = 0
    public private(set) var skipped = 0
    public private(set) var rejected = 0
    /// The first `keep` issues, for summaries and Lua.
    public private(set) var issues: [RowIssue] = []
    public let keep: Int
    /// Receives every issue as it happens (e.g. `ErrorsFile.append`).
    public var sink: ((RowIssue) throws -> Void)?
    /// Records that carried at least one reader warning, whatever their outcome.
    public private(set) var warned = 0
    /// The first `keep` of them, for summaries and Lua.
    public private(set) var warnings: [RowWarning] = []

    public init(keep: Int = 1000) {
        self.keep = keep
    }

    /// Records still in flight: read but not yet sent, skipped or rejected.
    public var pending: Int { read - sent - skipped - rejected }

    /// `read == sent + skipped + rejected`: true once every record has been accounted for.
    public var balanced: Bool { pending == 0 }

    public func recordRead(_ count: Int = 1) { read += count }
    public func recordSent(_ count: Int = 1) { sent += count }

    /// Records staged for a vendor that were never sent (the job stopped): counted as `outcome` in bulk.
    public func recordUnsent(_ count: Int, outcome: RowOutcome) {
        guard count > 0 else { return }
        switch outcome {
        case .sent, .erred: sent += count
        case .skipped: skipped += count
        case .rejected: rejected += count
        }
    }

    /// Notes the reader's warnings about a record (once per record, before its outcome is known): counts
    /// a record that carries some and keeps the first few as examples.
    @inline(__always)
    public func noteWarnings(record: Int, line: Int, warnings found: [String]) {
        guard !found.isEmpty else { return }
        warned += 1
        if warnings.count < keep { warnings.append(RowWarning(record: record, line: line, warnings: found)) }
    }

    /// Records a skip or a rejection of a record that was counted as read.
    public func record(_ issue: RowIssue) throws {
        switch issue.outcome {
        case .sent: sent += 1; return
        case .erred: return
        case .skipped: skipped += 1
        case .rejected: rejected += 1
        }
        if issues.count < keep { issues.append(issue) }
        try sink?(issue)
    }
}
