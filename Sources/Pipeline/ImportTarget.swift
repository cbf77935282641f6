import Foundation
import Tabular
import Transport

/// A vendor a job imports into. Omnigage and Whispir implement it; a third vendor is one new type
/// (plus its sandbox routes), with no change to Bindings.
public protocol ImportTarget: AnyObject {
    /// `omnigage`, `whispir`, ...
    var name: String { get }
    /// The account or workspace the job imports into (part of the job's identity).
    var account: String { get }
    /// Option keys this target understands, besides `JobOptionKeys.common`.
    var optionKeys: Set<String> { get }
    /// Target fields every import must map (for `roster check`).
    var requiredFields: [String] { get }
    /// Workbook formats the vendor takes as they are: an untransformed source in one of them is sent untouched.
    var untouchedFormats: Set<TableFormat> { get }
    /// Problems with the header and mapping that would make the vendor refuse the import, found
    /// before anything is sent. `warnings` are worth telling but do not stop the job.
    func check(header: [String], mapping: [String: String], options: [String: JSONValue]) -> (errors: [String], warnings: [String])
    /// Sends the prepared file: the vendor's stages, each journalled once it succeeded (and skipped
    /// when the journal shows it done). Returns the imports created.
    func send(_ file: PreparedFile, _ job: JobContext) throws -> [ImportRecord]
    /// Waits for the imports to reach their final state; returns them with their outcome.
    func settle(_ imports: [ImportRecord], _ job: JobContext) throws -> [ImportRecord]
    /// The vendor's outcome of each row of the file sent, when it reports one (nil: counts only).
    func rowResults(_ imports: [ImportRecord], _ job: JobContext) throws -> [VendorRowResult]?
    /// Why the vendor would refuse this output row (a rule it states: a contact without a phone or an
    /// email, a time zone it does not know), or nil. Such a record is rejected before anything is sent.
    func rowProblem(_ row: MappedRow) -> String?
}

/// One output row seen through the job's mapping: the value each vendor field receives.
public struct MappedRow {
    let values: [String]
    let index: [String: Int]

    /// The trimmed value mapped to `field`, or nil when nothing maps to it.
    public subscript(field: String) -> String? {
        index[field].map { $0 < values.count ? values[$0].trimmingCharacters(in: .whitespaces) : "" }
    }

    /// Whether `field` is mapped and holds a non-blank value.
    public func has(_ field: String) -> Bool { !(self[field] ?? "").isEmpty }

    /// The field -> column index of `mapping` over `columns` (fields whose column is missing are left out).
    static func index(mapping: [String: String], columns: [String]) -> [String: Int] {
        var position: [String: Int] = [:]
        for (i, c) in columns.enumerated() where position[c] == nil { position[c] = i }
        return mapping.compactMapValues { position[$0] }
    }
}

extension ImportTarget {
    /// A vendor that takes only the file Roster writes.
    public var untouchedFormats: Set<TableFormat> { [] }

    /// A vendor that states no row rule.
    public func rowProblem(_ row: MappedRow) -> String? { nil }

    /// A vendor that reports no per-row outcome: every delivered row is "sent".
    public func rowResults(_ imports: [ImportRecord], _ job: JobContext) throws -> [VendorRowResult]? { nil }
}

/// The file a job prepared for its target.
public struct PreparedFile: Sendable {
    public var path: String
    /// The file name the vendor sees.
    public var name: String
    public var header: [String]
    /// Data rows written.
    public var rows: Int
    public var bytes: Int64
    public var format: TableFormat

    public var mimeType: String {
        switch format {
        case .csv: return "text/csv"
        case .xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .xls: return "application/vnd.ms-excel"
        case .json: return "application/json"
        case .xml: return "application/xml"
        }
    }

    /// What `before_upload(file)` receives.
    public var hookValue: JSONValue {
        .object(["path": .string(path), "name": .string(name), "type": .string(mimeType), "size": .integer(bytes),
                 "rows": .integer(Int64(rows)), "header": .array(header.map(JSONValue.string))])
    }
}

/// What a target sees of the job while it sends: the mapping and options, the hooks, the journal,
/// progress, and where it reports what the vendor accepted.
public final class JobContext {
    public let mapping: [String: String]
    public let options: [String: JSONValue]
    public let journal: Journal
    let hooks: (any JobHooks)?
    let settings: RunSettings
    /// The stage now running (named in errors and progress).
    public private(set) var stage = "upload"
    /// Output rows (0-based ranges of the prepared file) the vendor has accepted so far.
    public private(set) var delivered: [Range<Int>] = []
    let rowsRead: Int

    init(mapping: [String: String], options: [String: JSONValue], journal: Journal, hooks: (any JobHooks)?,
         settings: RunSettings, rowsRead: Int) {
        self.mapping = mapping
        self.options = options
        self.journal = journal
        self.hooks = hooks
        self.settings = settings
        self.rowsRead = rowsRead
    }

    /// Enters `stage` (for errors and the progress line); stops when the run was interrupted.
    public func enter(_ stage: String) throws {
        self.stage = stage
        try settings.checkInterrupted(stage: stage)
        settings.progress?.update(stage: stage, rows: rowsRead, bytes: 0)
    }

    /// Appends a journal entry once a remote stage succeeded (and, in tests, stops dead there).
    public func checkpoint(_ event: String, _ fields: [String: JSONValue]) throws {
        try settings.checkpoint(journal, event, fields)
    }

    /// The vendor accepted these output rows.
    public func accepted(rows: Range<Int>) { delivered.append(rows) }

    /// Calls a hook when the job has it; returns a `before_*` hook's version of `value`.
    public func hook(_ name: HookName, _ value: JSONValue) throws -> JSONValue? {
        guard let hooks, hooks.has(name) else { return nil }
        let current = stage
        stage = name.rawValue
        defer { stage = current }
        do {
            return try hooks.call(name, [value])
        } catch {
            throw JobError.wrapping(error, stage: name.rawValue)
        }
    }

    /// A callback that redraws the progress line (e.g. on each poll while waiting), from any thread.
    public func heartbeat() -> @Sendable () -> Void {
        let (sink, stage, rows) = (settings.progress, stage, rowsRead)
        return { sink?.update(stage: stage, rows: rows, bytes: 0) }
    }

    /// A callback for upload progress (bytes sent of the file), safe to call from any thread.
    public func uploadProgress() -> UploadProgress {
        let (sink, stage, rows) = (settings.progress, stage, rowsRead)
        return { sent, _ in sink?.update(stage: stage, rows: rows, bytes: sent) }
    }

    /// A creating call made at most once across runs: the request is journalled first (`key` names what
    /// is created, e.g. the import of one upload). When it fails with no answer from the vendor, a re-run
    /// finds the request unanswered and stops instead of creating a second one (`--fresh` overrides).
    /// `where` tells the user where to look for what may have been created.
    public func createOnce<T: Sendable>(_ what: String, key: [String: JSONValue], vendor: String, where place: String,
                                        _ operation: @escaping @Sendable () async throws -> T) throws -> T {
        var fields = key
        fields["what"] = .string(what)
        let matches = { (entry: [String: JSONValue]) in fields.allSatisfy { entry[$0.key] == $0.value } }
        if let last = journal.last(among: ["create_requested", "create_answered"], where: matches),
           last["event"]?.stringValue == "create_requested" {
            let at = last["at"]?.stringValue ?? "an earlier run"
            throw JobError(.transport, stage: stage, "the answer to creating the \(what) was lost (\(at)): \(vendor) may have created it, "
                           + "so Roster will not create a second one; check \(place), and if there is none, run again with --fresh")
        }
        try checkpoint("create_requested", fields)
        do {
            let created = try remote(operation)
            try checkpoint("create_answered", fields)
            return created
        } catch {
            // The vendor answered (or was never reached): nothing was created, and a re-run may try again.
            if !Self.answerMayBeLost(error) { try checkpoint("create_answered", fields) }
            throw error
        }
    }

    /// True when a creating request may have reached the vendor without its answer reaching Roster.
    static func answerMayBeLost(_ error: any Error) -> Bool {
        guard let job = error as? JobError else { return true }
        switch job.underlying {
        case nil: return false  // stopped before sending (an interrupt seen at the checkpoint)
        case let transport as TransportError:
            switch transport {
            case .connectionFailed, .insecureURL, .invalidURL, .shutDown: return false
            default: return true
            }
        case is any ClassifiedFailure: return false  // a vendor error: an answer arrived, or nothing was sent
        default: return true
        }
    }

    /// Runs an async client call from the job's (script) thread.
    public func remote<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        try settings.checkInterrupted(stage: stage)
        do {
            return try Blocking.wait(operation)
        } catch {
            throw JobError.wrapping(error, stage: stage)
        }
    }
}

/// Shows progress (one line on a terminal); called from any thread.
public protocol ProgressSink: Sendable {
    func update(stage: String, rows: Int, bytes: Int64)
}

/// How the jobs of one run behave: simulated or real, fresh or resumed, where journals live.
public struct RunSettings: Sendable {
    /// `roster check`: every remote stage simulated.
    public var dryRun: Bool
    /// `--fresh`: forget the journal and import again.
    public var fresh: Bool
    /// Where journals live (`.roster/journal`).
    public var journalDirectory: String
    /// Hash of the script's content (part of each job's identity).
    public var scriptHash: String
    public var progress: (any ProgressSink)?
    /// True once the run was interrupted (SIGINT/SIGTERM).
    public var interrupted: @Sendable () -> FailureClass?
    /// Test hook: the journal event after which the process kills itself (ROSTER_TEST_KILL_AFTER).
    public var killAfter: String?
    /// The run's private folders for contact data (removed on every way out).
    public var temporary: TemporaryFolders
    /// `--results FILE`: the results file of jobs that name none (`FILE-2.csv`... for later jobs).
    public var resultsFile: String?
    /// `--parallel N`: Lua states running the row stages of every source (1: the script's own state only).
    public var parallel = 1

    public init(dryRun: Bool = false, fresh: Bool = false, journalDirectory: String = ".roster/journal", scriptHash: String = "",
                progress: (any ProgressSink)? = nil, interrupted: @escaping @Sendable () -> FailureClass? = { nil },
                killAfter: String? = nil, temporary: TemporaryFolders = TemporaryFolders()) {
        self.dryRun = dryRun
        self.fresh = fresh
        self.journalDirectory = journalDirectory
        self.scriptHash = scriptHash
        self.progress = progress
        self.interrupted = interrupted
        self.killAfter = killAfter
        self.temporary = temporary
    }

    /// Appends a journal entry (and, in tests, stops dead right after it: `killAfter`).
    func checkpoint(_ journal: Journal, _ event: String, _ fields: [String: JSONValue]) throws {
        try journal.append(event, fields)
        if killAfter == event { kill(getpid(), SIGKILL) }
    }

    func checkInterrupted(stage: String) throws {
        if let signal = interrupted() {
            throw JobError(signal, stage: stage, signal.stopReason)
        }
    }
}

/// The host of a URL (no scheme, port or path), for job identities.
func hostName(_ url: String) -> String {
    URLComponents(string: url)?.host ?? url
}
