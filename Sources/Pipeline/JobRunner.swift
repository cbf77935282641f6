import Foundation
import Tabular
import Transport

/// What a job did, for the script that ran it.
public struct JobResult {
    public var read = 0, sent = 0, skipped = 0, rejected = 0
    public var imports: [ImportRecord] = []
    public var errorsFile: String?
    /// The job had finished before: nothing was sent this time.
    public var alreadyImported = false
    /// The file sent (or, in a check, that would have been); removed when the job ends.
    public var fileRows = 0
}

/// Runs jobs: read -> transform -> validate -> write the file the target wants -> the target's
/// stages (journalled) -> settle; everything it does goes into the run's `RunReport`.
public final class JobRunner {
    public let report: RunReport
    public let settings: RunSettings
    private var resultsFilesWritten = 0

    public init(report: RunReport, settings: RunSettings) {
        self.report = report
        self.settings = settings
    }

    /// Runs `spec` to the end. Throws a `JobError` naming the stage when the job stops; the rows it
    /// read are accounted for whatever happens.
    public func run(_ spec: JobSpec) throws -> JobResult {
        let target = spec.target
        report.use(target: target.name)
        let options = try checkedOptions(spec.options, target: target)

        // The input and its accounting.
        let reader: any TableReader
        let inputPath: String?
        let accounting: RowAccounting
        var stamp: FileStamp?
        switch spec.source {
        case .path(let path, let readOptions):
            stamp = FileStamp(path: path)
            do { reader = try Tables.open(path: path, options: readOptions) } catch {
                throw JobError(.usage, stage: "read", "cannot read \(path): \(error)", underlying: error)
            }
            inputPath = path
            accounting = RowAccounting()
        case .reader(let opened, let path, let counted):
            reader = opened
            inputPath = path
            accounting = counted
            stamp = path.flatMap(FileStamp.init(path:))
        }
        let input = report.input(for: accounting) ?? ReportInput(path: inputPath ?? "(rows from the script)", accounting: accounting)
        report.add(input)

        // A finished job is not imported again (unless --fresh); checked before reading when the input is a file.
        var journal: Journal?
        if !settings.dryRun, let inputPath {
            journal = try openJournal(input: try ContentHash.of(file: inputPath), spec: spec, options: options)
            if let done = finished(journal) { return done }
        }

        let directory = try settings.temporary.make()
        defer { settings.temporary.remove(directory) }
        let name = options["name"]?.stringValue.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "roster-import.csv"
        var staging = try Staging(path: (directory as NSString).appendingPathComponent(name), reader: reader,
                                  transform: spec.transform, columns: options["columns"].flatMap(Self.strings),
                                  sampling: settings.dryRun)
        // The vendor's stated row rules, applied before anything is sent (and shown by roster check).
        let mapping = spec.mapping
        var mappedIndex: [String: Int]?
        staging.validator = { values, columns in
            let index = mappedIndex ?? MappedRow.index(mapping: mapping, columns: columns)
            mappedIndex = index
            return target.rowProblem(MappedRow(values: values, index: index))
        }
        chmod(staging.path, 0o600)  // contact data: the owner's only
        let errorsPath = options["errors_file"]?.stringValue
        let resultsPath = options["results_file"]?.stringValue ?? nextResultsPath()
        // Files written at the end must be writable before anything is sent.
        for (what, path) in [("errors file", errorsPath), ("results file", resultsPath)] {
            if let path, let problem = Self.unwritable(path) {
                abandon(accounting.pending, of: accounting, as: .rejected)
                throw JobError(.usage, stage: "options", "\(what) \(path): \(problem); nothing was sent")
            }
        }
        let errors = errorsPath.map { ErrorsSink(path: $0, header: reader.header, input: input) }
        defer { errors?.finish() }
        // The values of every record, kept beside the job when the vendor's per-row outcomes need them.
        let log = !settings.dryRun && (resultsPath != nil || errors != nil) ? try RecordLog(directory: directory, header: reader.header) : nil
        do {
            try prepare(&staging, reader: reader, accounting: accounting, input: input, errors: errors, log: log, hooks: spec.hooks)
            // A file still being written (an export in progress) would be imported half: nothing is sent.
            if let stamp, let inputPath, let now = FileStamp(path: inputPath), now != stamp {
                throw JobError(.usage, stage: "read", "\(inputPath) changed while it was read (\(stamp.bytes) bytes, now \(now.bytes)): is it still "
                               + "being written? Nothing was sent; run again once the file is complete")
            }
        } catch {
            // The job stopped while reading: what it had read was not sent.
            abandon(accounting.pending, of: accounting, as: .rejected)
            throw error
        }
        for warning in reader.info.warnings { report.warn("\(input.path): \(warning)") }
        var result = JobResult()
        result.errorsFile = input.errorsFile
        var file = PreparedFile(path: staging.path, name: name, header: staging.columns, rows: staging.rows,
                                bytes: Self.size(of: staging.path), format: .csv)
        if let original = untouched(spec, reader: reader, accounting: accounting, staging: staging, options: options) {
            file = original
            report.note("\(original.name) is sent as it is (\(original.format.rawValue.uppercased()), no transform)")
        }
        result.fileRows = file.rows

        // Validation, before anything is sent.
        if let limit = options["max_rejects"].flatMap(RejectLimit.init),
           limit.exceeded(rejected: accounting.rejected, read: accounting.read) {
            abandon(staging.stagedRecords, of: accounting, as: .skipped)
            throw JobError(.rejectLimit, stage: "transform",
                           "\(accounting.rejected) of \(accounting.read) record(s) rejected, more than max_rejects = \(limit): nothing was sent")
        }
        let (problems, warnings) = target.check(header: file.header, mapping: spec.mapping, options: options)
        for w in warnings { report.warn("\(target.name): \(w)") }
        if settings.dryRun {
            accounting.recordSent(staging.stagedRecords)
            report.add(CheckReport(target: target.name, sourceHeader: reader.header, staging: staging, mapping: spec.mapping,
                                   required: target.requiredFields, problems: problems, warnings: warnings, accounting: accounting))
            if !problems.isEmpty {
                // The check goes on (other jobs are checked too) but ends like the real run would: refused before sending.
                report.fail(RunFailure(kind: .usage, stage: "check", message: "\(target.name) would refuse this import: " + problems.joined(separator: "; ")))
            }
            return counted(result, accounting)
        }
        if !problems.isEmpty {
            abandon(staging.stagedRecords, of: accounting, as: .skipped)
            throw JobError(.usage, stage: "check", "\(target.name) would refuse this import, so nothing was sent:\n  "
                           + problems.joined(separator: "\n  "))
        }
        if staging.stagedRecords == 0 {
            report.note("nothing sent to \(target.name): no record survived the transform")
            if let bug = Self.commonFailure(accounting) { report.note(bug) }
            return counted(result, accounting)
        }

        // The journal of a job whose rows came from the script is keyed by what it would send.
        if journal == nil {
            journal = try openJournal(input: try ContentHash.of(file: file.path), spec: spec, options: options)
            if let done = finished(journal) {
                abandon(staging.stagedRecords, of: accounting, as: .skipped)
                return done
            }
        }
        guard let journal else { return counted(result, accounting) }
        if journal.entries.isEmpty {
            try settings.checkpoint(journal, "started", ["target": .string(target.name), "account": .string(target.account),
                                                         "input": inputPath.map(JSONValue.string) ?? .null, "rows": .integer(Int64(file.rows))])
        }

        // The target's stages.
        let context = JobContext(mapping: spec.mapping, options: options, journal: journal, hooks: spec.hooks,
                                 settings: settings, rowsRead: accounting.read)
        let imports: [ImportRecord]
        do {
            let sent = try target.send(file, context)
            sent.forEach(report.record)
            try context.enter("settle")
            imports = try target.settle(sent, context)
        } catch {
            deliver(staging, context, accounting)
            let failure = JobError.wrapping(error, stage: context.stage)
            // Each record that was not delivered is named in the errors file, with the stage that failed.
            try? listUndelivered(staging, context, log: log, errors: errors, reason: "not delivered: \(context.stage) failed (\(failure.message))")
            throw failure
        }
        // Accounted once: what follows (the journal's last line, the results) cannot count a row twice.
        deliver(staging, context, accounting)
        imports.forEach(report.record)
        try journal.append("finished", ["imports": .array(imports.map { .string($0.id) }),
                                        "statuses": .array(imports.map { .string($0.status) })])
        result.imports = imports
        var rows: [VendorRowResult]?
        do { rows = try target.rowResults(imports, context) } catch {
            report.warn("\(target.name): the per-row results could not be read (\(error)); only the counts are reported")
        }
        try recordOutcomes(rows, staging: staging, log: log, errors: errors, resultsPath: resultsPath, header: reader.header, input: input)
        return counted(result, accounting)
    }

    /// `--results FILE` for the next job that names no results file: FILE, then FILE-2.csv, FILE-3.csv...
    private func nextResultsPath() -> String? {
        guard let base = settings.resultsFile, !settings.dryRun else { return nil }
        resultsFilesWritten += 1
        guard resultsFilesWritten > 1 else { return base }
        let ext = (base as NSString).pathExtension
        let stem = ext.isEmpty ? base : String(base.dropLast(ext.count + 1))
        return stem + "-\(resultsFilesWritten)" + (ext.isEmpty ? "" : "." + ext)
    }

    /// The input file itself, when the target takes its format and sending it changes nothing: no transform
    /// or columns, the first sheet read from its first row, every record staged, and no file-level warning
    /// (no renamed header, no passed-over rows), so the vendor's rows are the records, in order.
    private func untouched(_ spec: JobSpec, reader: any TableReader, accounting: RowAccounting, staging: Staging,
                           options: [String: JSONValue]) -> PreparedFile? {
        guard case .path(let path, let read) = spec.source, spec.transform == nil, options["columns"] == nil, options["name"] == nil,
              spec.target.untouchedFormats.contains(reader.info.format), read.header, read.headerRow == 1, read.skip == 0,
              read.columns == nil, read.sheet == nil, reader.info.warnings.isEmpty,
              accounting.rejected == 0, accounting.skipped == 0, staging.rows == accounting.read, staging.columns == reader.header
        else { return nil }
        return PreparedFile(path: path, name: URL(fileURLWithPath: path).lastPathComponent, header: reader.header, rows: staging.rows,
                            bytes: Self.size(of: path), format: reader.info.format)
    }

    /// Records the vendor accepted are sent; the other staged records were not delivered.
    private func deliver(_ staging: Staging, _ context: JobContext, _ accounting: RowAccounting) {
        let delivered = staging.records(in: context.delivered)
        accounting.recordSent(delivered)
        abandon(staging.stagedRecords - delivered, of: accounting, as: .rejected)
    }

    /// Writes every staged record the vendor did not accept to the errors file (already counted by `deliver`).
    private func listUndelivered(_ staging: Staging, _ context: JobContext, log: RecordLog?, errors: ErrorsSink?, reason: String) throws {
        guard let log, let errors else { return }
        let delivered = staging.recordNumbers(in: context.delivered)
        try log.forEach { record, line, values, warnings in
            let number = Int32(truncatingIfNeeded: record)
            guard staging.rowIndex.contains(record: number), !delivered.contains(number) else { return }
            try errors.append(RowIssue(outcome: .rejected, record: record, line: line, reason: reason, values: values,
                                       stage: context.stage, warnings: warnings.isEmpty ? [] : [warnings]))
        }
    }

    /// Counts `count` records that were read but will not be sent; rejected ones are "not delivered".
    private func abandon(_ count: Int, of accounting: RowAccounting, as outcome: RowOutcome) {
        accounting.recordUnsent(count, outcome: outcome)
        if outcome == .rejected { report.noteUndelivered(count) }
    }

    private func counted(_ result: JobResult, _ accounting: RowAccounting) -> JobResult {
        var r = result
        (r.read, r.sent, r.skipped, r.rejected) = (accounting.read, accounting.sent, accounting.skipped, accounting.rejected)
        return r
    }

    /// The journal of this job, emptied first with `--fresh`.
    private func openJournal(input: String, spec: JobSpec, options: [String: JSONValue]) throws -> Journal {
        let settingsText = String(decoding: JSONValue.object([
            "mapping": .object(spec.mapping.mapValues(JSONValue.string)), "options": .object(options),
        ]).encoded(), as: UTF8.self)
        let identity = JobIdentity(script: settings.scriptHash, input: input, target: spec.target.name,
                                   account: spec.target.account, settings: settingsText)
        let journal = try Journal(directory: settings.journalDirectory, identity: identity)
        if settings.fresh { try journal.reset() }
        return journal
    }

    /// The result of a job its journal shows finished, after telling the user; nil otherwise.
    private func finished(_ journal: Journal?) -> JobResult? {
        guard let journal, let done = journal.last("finished") else { return nil }
        let ids = done["imports"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let statuses = done["statuses"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let target = journal.last("started")?["target"]?.stringValue ?? "unknown"
        let date = done["at"]?.stringValue ?? "an earlier run"
        report.note("already imported: import \(ids.isEmpty ? "(none)" : ids.joined(separator: ", ")) on \(date) (use --fresh to import again)")
        var result = JobResult()
        result.alreadyImported = true
        result.imports = ids.enumerated().map { i, id in
            ImportRecord(id: id, target: target, status: i < statuses.count ? statuses[i] : "finished")
        }
        return result
    }

    /// Reads every record, runs the transform, writes kept rows and accounts for the others.
    private func prepare(_ staging: inout Staging, reader: any TableReader, accounting: RowAccounting, input: ReportInput,
                         errors: ErrorsSink?, log: RecordLog? = nil, hooks: (any JobHooks)?) throws {
        let header = reader.header
        let previousSink = accounting.sink
        accounting.sink = { issue in
            try errors?.append(issue)
            log?.note(issue)
            try previousSink?(issue)
            if issue.outcome == .rejected, let hooks, hooks.has(.onReject) {
                var row: [String: JSONValue] = [:]
                for (i, name) in header.enumerated() where i < issue.values.count { row[name] = .string(issue.values[i]) }
                let ctx: JSONValue = .object(["row": .integer(Int64(issue.record)), "line": .integer(Int64(issue.line)),
                                              "stage": .string(issue.stage)])
                do {
                    _ = try hooks.call(.onReject, [.object(row), .string(issue.reason), ctx])
                } catch {
                    throw JobError.wrapping(error, stage: HookName.onReject.rawValue)
                }
            }
        }
        defer { accounting.sink = previousSink }
        settings.progress?.update(stage: "transform", rows: accounting.read, bytes: 0)
        // Records travel borrowed (bytes in the reader's buffer) from a reader that can lend them;
        // the others' strings are lent the same way, so there is one row path.
        let stream = RecordStream(reader)
        while true {
            let step: RecordStream.Step?
            do { step = try stream.next() } catch {
                throw JobError(.usage, stage: "read", "cannot go on reading \(input.path): \(error)", underlying: error)
            }
            guard let step else { break }
            accounting.recordRead()
            if accounting.read & 4095 == 0 {
                try settings.checkInterrupted(stage: "transform")
                settings.progress?.update(stage: "transform", rows: accounting.read, bytes: 0)
            }
            let record: BorrowedRecord
            switch step {
            case .rejected(let r):
                try log?.append(record: r.number, line: r.line, values: r.values)
                try staging.account(RowIssue(outcome: .rejected, record: r.number, line: r.line, reason: r.reason, values: r.values, stage: "read"),
                                    accounting: accounting)
                continue
            case .record(let borrowed):
                record = borrowed
            }
            if let log { try log.append(record: record.number, line: record.line, values: record.fields.strings(), warnings: record.warnings) }
            accounting.noteWarnings(record: record.number, line: record.line, warnings: record.warnings)
            try staging.take(record, accounting: accounting)
        }
        try staging.drain(accounting: accounting)
        try staging.finish()
        settings.progress?.update(stage: "transform", rows: accounting.read, bytes: 0)
    }

    /// Writes a table to a file (`roster.write`): every record read, transformed and written, skipped
    /// or rejected, and counted into `input`'s accounting (a written record counts as sent). An
    /// untransformed CSV source is copied byte for byte.
    public func export(_ reader: any TableReader, transform: (any RecordTransform)?, input: ReportInput, to path: String,
                       format: TableFormat, options: WriteOptions = WriteOptions(), columns: [String]?, errorsFile: String?) throws -> WriteSummary {
        // Written under a temporary name beside the target and renamed when complete: an interrupted
        // or failed write never leaves a half-written file under the final name.
        let partial = path + ".partial-\(getpid())"
        settings.temporary.track(partial)
        defer { settings.temporary.forget(partial) }
        do {
            let summary = try write(reader, transform: transform, input: input, to: partial, format: format, options: options,
                                    columns: columns, errorsFile: errorsFile)
            guard rename(partial, path) == 0 else {
                throw JobError(.usage, stage: "write", "cannot move the finished file into place at \(path) (errno \(errno))")
            }
            return WriteSummary(path: path, rows: summary.rows, bytes: summary.bytes)
        } catch {
            unlink(partial)
            abandon(input.accounting.pending, of: input.accounting, as: .rejected)
            throw error
        }
    }

    private func write(_ reader: any TableReader, transform: (any RecordTransform)?, input: ReportInput, to path: String,
                       format: TableFormat, options: WriteOptions, columns: [String]?, errorsFile: String?) throws -> WriteSummary {
        report.add(input)
        let accounting = input.accounting
        if transform == nil && columns == nil {
            var errors: ErrorsFile?
            defer { _ = try? errors?.finish() }
            let summary = try TableCopy.copy(from: reader, to: try Tables.writer(path: path, format: format, options: options)) { r in
                accounting.recordRead()
                let issue = RowIssue(outcome: .rejected, record: r.number, line: r.line, reason: r.reason, values: r.values)
                try accounting.record(issue)
                if let errorsFile {
                    if errors == nil {
                        errors = try ErrorsFile(path: errorsFile, header: reader.header)
                        input.errorsFile = errorsFile
                    }
                    try errors?.append(issue)
                }
            }
            accounting.recordRead(summary.rows)
            accounting.recordSent(summary.rows)
            for warning in reader.info.warnings { report.warn("\(input.path): \(warning)") }
            return summary
        }
        var staging = try Staging(path: path, format: format, options: options, reader: reader, transform: transform, columns: columns,
                                  sampling: false)
        let errors = errorsFile.map { ErrorsSink(path: $0, header: reader.header, input: input) }
        defer { errors?.finish() }
        try prepare(&staging, reader: reader, accounting: accounting, input: input, errors: errors, hooks: nil)
        accounting.recordSent(staging.stagedRecords)
        for warning in reader.info.warnings { report.warn("\(input.path): \(warning)") }
        return WriteSummary(path: path, rows: staging.rows, bytes: Int(Self.size(of: path)))
    }

    /// Options checked against the common keys and the target's: an unknown key is an error naming the nearest.
    private func checkedOptions(_ options: [String: JSONValue], target: any ImportTarget) throws -> [String: JSONValue] {
        try OptionReader.check(options.keys, known: JobOptionKeys.common.union(target.optionKeys), function: "\(target.name) job")
        if let limit = options["max_rejects"], RejectLimit(limit) == nil {
            throw JobError(.usage, stage: "options", "option 'max_rejects' must be a count (e.g. 10) or a percentage (e.g. \"2%\"), not \(limit)")
        }
        for key in ["name", "errors_file", "results_file"] where options[key] != nil && options[key]?.stringValue == nil {
            throw JobError(.usage, stage: "options", "option '\(key)' must be a string")
        }
        return options
    }

    /// When every record was rejected by the transform at the same script line, that is most likely a
    /// bug in the script rather than bad data: says so, naming the line and the first message.
    static func commonFailure(_ accounting: RowAccounting) -> String? {
        guard accounting.read > 1, accounting.rejected == accounting.read else { return nil }
        let issues = accounting.issues
        func position(_ reason: String) -> Substring? {
            reason.firstMatch(of: /^[^\s:]+\.lua:\d+:/).map { $0.output }
        }
        guard let first = issues.first, first.stage == "transform", let place = position(first.reason),
              issues.allSatisfy({ $0.stage == "transform" && position($0.reason) == place }) else { return nil }
        return "every record was rejected at \(place.dropLast()): most likely a bug in the transform, not bad data (\(first.reason))"
    }

    /// Why `path` cannot be written (its folder is missing or read-only), or nil.
    static func unwritable(_ path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        let dir = folder.isEmpty ? "." : folder
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isFolder), isFolder.boolValue else {
            return "the folder \(dir) does not exist (create it, or choose another path)"
        }
        return access(dir, W_OK) == 0 ? nil : "the folder \(dir) is not writable"
    }

    static func strings(_ value: JSONValue) -> [String]? {
        value.arrayValue?.compactMap(\.stringValue)
    }

    static func size(of path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

}

/// The file being written for the target, with the row index (output row -> source record) and,
/// in a check, sample rows and values.
struct Staging {
    let path: String
    private let writer: any TableWriter
    /// The transform again when it runs on other threads, the records handed to it and not back yet,
    /// and the reader's rejections held until the records before them are back.
    private let pipelined: (any PipelinedTransform)?
    private var inFlight = 0
    private var held: [RowIssue] = []
    /// The writer again when it takes bytes (CSV): rows then go out without a string per field.
    private let byteWriter: (any ByteRowWriter)?
    private let transform: (any RecordTransform)?
    /// Source column of each fixed column (-1: not in the source), and where picked fields are lent from.
    private var picked: [Int]?
    private let pickSlots = FieldSlots()
    private let fixedColumns: [String]?
    private let sourceHeader: [String]
    private(set) var columns: [String] = []
    private var headerWritten = false
    /// Source record number of each output row.
    private(set) var rowIndex = RowIndex()
    private(set) var stagedRecords = 0
    let sampling: Bool
    /// The target's row rules: a reason to reject an output row (given its values and the output columns), or nil.
    var validator: (([String], [String]) -> String?)?
    private(set) var sampleRows: [[String]] = []
    private(set) var samples: [String: [String]] = [:]

    init(path: String, format: TableFormat = .csv, options: WriteOptions = WriteOptions(), reader: any TableReader,
         transform: (any RecordTransform)?, columns: [String]?, sampling: Bool) throws {
        self.path = path
        writer = try Tables.writer(path: path, format: format, options: options)
        byteWriter = writer as? any ByteRowWriter
        self.transform = transform
        pipelined = transform as? any PipelinedTransform
        fixedColumns = columns
        sourceHeader = reader.header
        self.sampling = sampling
    }

    var rows: Int { rowIndex.count }

    /// Accounts for a record the reader rejected: at once, or (records in flight on other threads)
    /// once the records before it have come back, so every list keeps the input order.
    mutating func account(_ issue: RowIssue, accounting: RowAccounting) throws {
        if pipelined != nil && inFlight > 0 {
            held.append(issue)
        } else {
            try accounting.record(issue)
        }
    }

    /// Settles a record that came back from a pipelined transform (after the rejections read before it).
    private mutating func settle(_ record: BorrowedRecord, _ verdict: TransformVerdict, _ rows: BorrowedRows?, accounting: RowAccounting) throws {
        inFlight -= 1
        while let first = held.first, first.record < record.number {
            held.removeFirst()
            try accounting.record(first)
        }
        if let rows { try keep(rows, of: record, accounting: accounting) }
        try settle(verdict, of: record, accounting: accounting)
    }

    /// Waits for records still on other threads (a pipelined transform), then accounts the rest.
    mutating func drain(accounting: RowAccounting) throws {
        guard let pipelined else { return }
        try pipelined.finish { record, verdict, rows in try settle(record, verdict, rows, accounting: accounting) }
        for issue in held { try accounting.record(issue) }
        held.removeAll()
    }

    mutating func take(_ record: BorrowedRecord, accounting: RowAccounting) throws {
        if let pipelined {
            inFlight += 1
            try pipelined.submit(record) { record, verdict, rows in try settle(record, verdict, rows, accounting: accounting) }
            return
        }
        let verdict: TransformVerdict
        if let transform {
            verdict = try transform.apply(record, header: sourceHeader) { rows in try keep(rows, of: record, accounting: accounting) }
        } else if let fixedColumns {
            // Columns picked by name (missing ones empty), lent from the record's own bytes.
            let picks = picked ?? fixedColumns.map { c in sourceHeader.firstIndex(of: c) ?? -1 }
            picked = picks
            pickSlots.reserve(picks.count)
            for (i, from) in picks.enumerated() {
                let ok = from >= 0 && from < record.fields.count
                pickSlots.starts[i] = ok ? record.fields.starts[from] : nil
                pickSlots.lengths[i] = ok ? record.fields.lengths[from] : 0
            }
            try keep(BorrowedRows(count: 1, width: picks.count, slots: pickSlots), of: record, accounting: accounting)
            verdict = .kept
        } else {
            try keep(record.fields, of: record, accounting: accounting)
            verdict = .kept
        }
        try settle(verdict, of: record, accounting: accounting)
    }

    private func settle(_ verdict: TransformVerdict, of record: BorrowedRecord, accounting: RowAccounting) throws {
        switch verdict {
        case .kept:
            break
        case .skipped(let reason):
            try accounting.record(RowIssue(outcome: .skipped, record: record.number, line: record.line, reason: reason,
                                           values: record.fields.strings(), stage: "transform", warnings: record.warnings))
        case .rejected(let reason):
            try accounting.record(RowIssue(outcome: .rejected, record: record.number, line: record.line, reason: reason,
                                           values: record.fields.strings(), stage: "transform", warnings: record.warnings))
        }
    }

    /// Writes a record's rows (or rejects the record when the target's row rules refuse one of them).
    private mutating func keep(_ rows: BorrowedRows, of record: BorrowedRecord, accounting: RowAccounting) throws {
        try writeHeaderOnce()
        if let validator {
            for r in 0 ..< rows.count {
                guard let problem = validator(rows[r].strings(), columns) else { continue }
                try accounting.record(RowIssue(outcome: .rejected, record: record.number, line: record.line, reason: problem,
                                               values: record.fields.strings(), stage: "validate", warnings: record.warnings))
                return
            }
        }
        for r in 0 ..< rows.count { try write(rows[r], of: record) }
        stagedRecords += 1
    }

    /// Writes a record that is its own row (no transform).
    private mutating func keep(_ fields: BorrowedFields, of record: BorrowedRecord, accounting: RowAccounting) throws {
        try writeHeaderOnce()
        if let validator, let problem = validator(fields.strings(), columns) {
            try accounting.record(RowIssue(outcome: .rejected, record: record.number, line: record.line, reason: problem,
                                           values: record.fields.strings(), stage: "validate", warnings: record.warnings))
            return
        }
        try write(fields, of: record)
        stagedRecords += 1
    }

    private mutating func write(_ fields: BorrowedFields, of record: BorrowedRecord) throws {
        if let byteWriter { try byteWriter.writeRow(fields) } else { try writer.writeRow(fields.strings()) }
        rowIndex.append(Int32(truncatingIfNeeded: record.number))
        if sampling { sample(fields.strings()) }
    }

    private mutating func sample(_ values: [String]) {
        if sampleRows.count < 5 { sampleRows.append(values) }
        for (i, c) in columns.enumerated() where i < values.count && !values[i].isEmpty {
            if samples[c, default: []].count < 3 { samples[c, default: []].append(values[i]) }
        }
    }

    @discardableResult
    mutating func finish() throws -> WriteSummary {
        try writeHeaderOnce()
        return try writer.finish()
    }

    /// The header, when the first row is kept (or at the end): the fixed columns, the transform's, or the source's.
    private mutating func writeHeaderOnce() throws {
        guard !headerWritten else { return }
        columns = fixedColumns ?? transform?.columns ?? sourceHeader
        try writer.writeHeader(columns)
        headerWritten = true
    }

    /// The source records the output rows in `ranges` carry.
    func recordNumbers(in ranges: [Range<Int>]) -> Set<Int32> {
        var seen = Set<Int32>()
        for range in ranges {
            for i in range.clamped(to: 0 ..< rowIndex.count) { seen.insert(rowIndex[i]) }
        }
        return seen
    }

    /// How many distinct source records the output rows in `ranges` carry.
    func records(in ranges: [Range<Int>]) -> Int {
        if ranges.contains(where: { $0.lowerBound <= 0 && $0.upperBound >= rowIndex.count }) { return stagedRecords }
        var seen = Set<Int32>()
        for range in ranges {
            for i in range.clamped(to: 0 ..< rowIndex.count) { seen.insert(rowIndex[i]) }
        }
        return seen.count
    }
}
