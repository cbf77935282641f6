import Foundation
import Transport

/// One import a run created at a vendor, with its last known state and counts.
public struct ImportRecord: Sendable, Equatable {
    public var id: String
    /// `omnigage` or `whispir`.
    public var target: String
    public var status: String
    public var created: Int?
    public var updated: Int?
    public var erred: Int?
    public var total: Int?
    /// The vendor's record (attributes with `-` kept), for scripts and hooks.
    public var attributes: [String: JSONValue]
    /// Why there are no counts, when the vendor cannot report them (Whispir has no way to read an import back).
    public var outcome: String?

    public init(id: String, target: String, status: String, created: Int? = nil, updated: Int? = nil, erred: Int? = nil,
                total: Int? = nil, attributes: [String: JSONValue] = [:]) {
        self.id = id
        self.target = target
        self.status = status
        self.created = created
        self.updated = updated
        self.erred = erred
        self.total = total
        self.attributes = attributes
    }

    /// The record as scripts see it: vendor attributes with `-` turned to `_`, then the common fields.
    public var scriptValue: JSONValue {
        var fields: [String: JSONValue] = [:]
        for (k, v) in attributes { fields[JSONValue.luaKey(k)] = v.withLuaKeys() }
        fields["id"] = .string(id)
        fields["target"] = .string(target)
        fields["status"] = .string(status)
        fields["outcome"] = outcome.map(JSONValue.string) ?? .null
        for (k, v) in [("created", created), ("updated", updated), ("erred", erred), ("total", total)] {
            fields[k] = v.map { .integer(Int64($0)) } ?? .null
        }
        return .object(fields)
    }
}

/// One input a run read, with its row accounting and where its errors file went.
public final class ReportInput {
    public let path: String
    public let accounting: RowAccounting
    public var errorsFile: String?

    public init(path: String, accounting: RowAccounting) {
        self.path = path
        self.accounting = accounting
    }
}

/// The single record of what one run did: inputs and their row counts, warnings, files written,
/// imports and their outcomes, the failure (kind and stage) and timings. The human summary, the
/// `--json` line and the exit code are all read from it.
public final class RunReport {
    public let started: ContinuousClock.Instant
    public private(set) var inputs: [ReportInput] = []
    public private(set) var imports: [ImportRecord] = []
    public private(set) var warnings: [String] = []
    /// Vendors the run sent to (or would have, in a check), in order of first use.
    public private(set) var targets: [String] = []
    /// Lines for the human summary (e.g. `already imported: ...`).
    public private(set) var notes: [String] = []
    /// Dry-run reports, one per job, from `roster check`.
    public private(set) var checks: [CheckReport] = []
    /// What ended the run early, if anything did.
    public private(set) var failure: RunFailure?
    /// The code a script asked for with `os.exit(n)`.
    public var requestedExit: Int32?
    /// Records staged for a vendor but not delivered because a remote stage failed.
    public private(set) var undelivered = 0
    /// The results file a job wrote (every source record once, with its outcome).
    public var resultsFile: String?

    public init(started: ContinuousClock.Instant = .now) {
        self.started = started
    }

    // MARK: Recording

    /// Adds an input (once per accounting object).
    public func add(_ input: ReportInput) {
        if !inputs.contains(where: { $0.accounting === input.accounting }) { inputs.append(input) }
    }

    /// The input whose rows `accounting` counts, if it was added.
    public func input(for accounting: RowAccounting) -> ReportInput? {
        inputs.first { $0.accounting === accounting }
    }

    /// Records an import (or a newer state of one already recorded).
    public func record(_ record: ImportRecord) {
        use(target: record.target)
        if let i = imports.firstIndex(where: { $0.id == record.id && $0.target == record.target }) {
            imports[i] = record
        } else {
            imports.append(record)
        }
    }

    public func use(target: String) {
        if !targets.contains(target) { targets.append(target) }
    }

    public func warn(_ text: String) { warnings.append(text) }
    public func note(_ text: String) { notes.append(text) }
    public func add(_ check: CheckReport) { checks.append(check) }
    public func noteUndelivered(_ records: Int) { undelivered += records }

    /// Records the failure that ended the run; the first one wins.
    public func fail(_ failure: RunFailure) {
        if self.failure == nil { self.failure = failure }
    }

    // MARK: Reading

    /// Row totals over every input.
    public var totals: (read: Int, sent: Int, skipped: Int, rejected: Int) {
        inputs.reduce((0, 0, 0, 0)) { t, input in
            let a = input.accounting
            return (t.0 + a.read, t.1 + a.sent, t.2 + a.skipped, t.3 + a.rejected)
        }
    }

    /// Inputs whose records are not all accounted for (e.g. a source the script stopped iterating).
    public var unaccounted: [(path: String, records: Int)] {
        inputs.filter { !$0.accounting.balanced }.map { ($0.path, $0.accounting.pending) }
    }

    /// Records read with warnings (padded rows, replaced bytes...) over every input, and the first
    /// examples, each naming its input, row and line.
    public var rowWarnings: (count: Int, examples: [String]) {
        var count = 0
        var examples: [String] = []
        for input in inputs {
            count += input.accounting.warned
            for w in input.accounting.warnings.prefix(max(0, 10 - examples.count)) { examples.append("\(input.path) \(w)") }
        }
        return (count, examples)
    }

    /// Records the vendors erred, over every import.
    public var erred: Int { imports.reduce(0) { $0 + ($1.erred ?? 0) } }

    public var errorsFile: String? { inputs.lazy.compactMap(\.errorsFile).first }

    /// The exit code, decided here only: a failure's code; else the script's non-zero `os.exit`; else 3
    /// when rows were rejected, erred by a vendor, or read and never accounted for; else 0.
    public var exitCode: Int32 {
        if let failure { return failure.kind.exitCode }
        if let requestedExit, requestedExit != 0 { return requestedExit }
        let t = totals
        // Records read but never sent, skipped or rejected (a script that stopped iterating) never end in 0.
        if t.rejected > 0 || erred > 0 || !unaccounted.isEmpty { return 3 }
        return requestedExit ?? 0
    }

    /// Seconds since the run started.
    public func elapsedSeconds(now: ContinuousClock.Instant = .now) -> Double {
        let d = now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The `--json` object: one line, stable key order, nulls kept.
    public func json(now: ContinuousClock.Instant = .now) -> String {
        let t = totals
        let rows = rowWarnings
        let target: JSONValue
        switch targets.count {
        case 0: target = .null
        case 1: target = .string(targets[0])
        default: target = .array(targets.map(JSONValue.string))
        }
        func int(_ v: Int?) -> JSONValue { v.map { .integer(Int64($0)) } ?? .null }
        var object: [String: JSONValue] = [
            "read": .integer(Int64(t.read)), "sent": .integer(Int64(t.sent)), "skipped": .integer(Int64(t.skipped)),
            "rejected": .integer(Int64(t.rejected)), "warnings": .integer(Int64(warnings.count + rows.count)),
            "rows_with_warnings": .integer(Int64(rows.count)),
            "warning_examples": .array((warnings.prefix(10) + rows.examples).prefix(10).map(JSONValue.string)),
            "errors_file": errorsFile.map(JSONValue.string) ?? .null, "results_file": resultsFile.map(JSONValue.string) ?? .null, "target": target,
            "imports": .array(imports.map { i in
                .object(["id": .string(i.id), "target": .string(i.target), "status": .string(i.status), "created": int(i.created),
                         "updated": int(i.updated), "erred": int(i.erred), "total": int(i.total),
                         "outcome": i.outcome.map(JSONValue.string) ?? .null])
            }),
            "error": failure.map { f in
                .object(["kind": .string(f.kind.rawValue), "stage": f.stage.map(JSONValue.string) ?? .null, "message": .string(f.message)])
            } ?? .null,
            "exit_code": .integer(Int64(exitCode)),
            "elapsed_s": .double((elapsedSeconds(now: now) * 1000).rounded() / 1000),
        ]
        if !checks.isEmpty { object["check"] = .array(checks.map(\.json)) }
        return String(decoding: JSONValue.object(object).encoded(), as: UTF8.self)
    }

    /// The short human summary printed on stderr at the end of a run.
    public func summaryLines() -> [String] {
        var lines = notes
        let t = totals
        let rows = rowWarnings
        // A run that only found its jobs already imported read nothing: its notes say it all.
        if !inputs.isEmpty && (t.read > 0 || notes.isEmpty) {
            var line = "rows: \(t.read) read, \(t.sent) \(checks.isEmpty ? "sent" : "would be sent"), \(t.skipped) skipped, \(t.rejected) rejected"
            if rows.count > 0 { line += ", \(rows.count) with warnings" }
            if let errorsFile { line += " (errors file: \(errorsFile))" }
            if let resultsFile { line += " (results file: \(resultsFile))" }
            lines.append(line)
        }
        for i in imports {
            var line = "\(i.target) import \(i.id): \(i.status)"
            if let c = i.created { line += " (created \(c), updated \(i.updated ?? 0), erred \(i.erred ?? 0))" }
            if let outcome = i.outcome { line += "; outcome: \(outcome)" }
            lines.append(line)
        }
        if undelivered > 0, let failure {
            lines.append("\(undelivered) row(s) were not delivered: \(failure.stage ?? "a remote stage") failed")
        }
        for warning in warnings.prefix(10) { lines.append("warning: \(warning)") }
        if warnings.count > 10 { lines.append("... and \(warnings.count - 10) more warning(s)") }
        for example in rows.examples.prefix(5) { lines.append("warning: \(example)") }
        if rows.count > 5 {
            lines.append("... and \(rows.count - 5) more row(s) with warnings"
                         + (resultsFile == nil ? " (results_file lists every row with its _warnings)" : " (see _warnings in \(resultsFile ?? ""))"))
        }
        return lines
    }
}
