import Foundation
import Tabular
import Transport

/// What a vendor said about one row of the file Roster sent.
public struct VendorRowResult: Sendable, Equatable {
    /// 0-based data row of the file sent.
    public var row: Int
    /// `created`, `updated` or `erred`.
    public var outcome: String
    /// The vendor's id of the contact, when it gives one.
    public var id: String?
    public var message: String?

    public init(row: Int, outcome: String, id: String?, message: String?) {
        self.row = row
        self.outcome = outcome
        self.id = id
        self.message = message
    }
}

/// The errors file of a job, created on its first issue and kept open until the job ends (so the
/// vendor's erred rows join the read and transform issues).
final class ErrorsSink {
    let path: String
    let header: [String]
    private var file: ErrorsFile?
    private let input: ReportInput

    init(path: String, header: [String], input: ReportInput) {
        self.path = path
        self.header = header
        self.input = input
    }

    func append(_ issue: RowIssue) throws {
        if file == nil {
            file = try ErrorsFile(path: path, header: header)
            input.errorsFile = path
        }
        try file?.append(issue)
    }

    func finish() { _ = try? file?.finish() }
}

/// Every record a job read, with its values, kept on disk beside the job (only when a results file
/// or the vendor's erred rows need them), and the reasons of the records that were not sent.
final class RecordLog {
    private let path: String
    private var writer: (any TableWriter)?
    private let width: Int
    /// Skipped and rejected records: outcome and reason.
    private(set) var notSent: [Int: (outcome: String, reason: String)] = [:]

    init(directory: String, header: [String]) throws {
        path = (directory as NSString).appendingPathComponent("records.csv")
        width = header.count
        writer = try Tables.writer(path: path, format: .csv)
        chmod(path, 0o600)  // contact data: the owner's only
        try writer?.writeHeader(header + ["_row", "_line", "_warnings"])
    }

    func append(record: Int, line: Int, values: [String], warnings: [String] = []) throws {
        var cells = Array(values.prefix(width))
        if cells.count < width { cells += Array(repeating: "", count: width - cells.count) }
        try writer?.writeRow(cells + [String(record), String(line), warnings.joined(separator: "; ")])
    }

    func note(_ issue: RowIssue) { notSent[issue.record] = (issue.outcome.rawValue, issue.reason) }

    /// Reads the records back in order: (record, line, values, the reader's warnings joined).
    func forEach(_ body: (Int, Int, [String], String) throws -> Void) throws {
        if let writer { _ = try writer.finish(); self.writer = nil }
        let reader = try Tables.open(path: path, options: ReadOptions(format: .csv))
        while let event = try reader.next() {
            guard case .record(let r) = event, r.values.count >= width + 3 else { continue }
            try body(Int(r.values[width]) ?? 0, Int(r.values[width + 1]) ?? 0, Array(r.values.prefix(width)), r.values[width + 2])
        }
    }
}

extension JobRunner {
    /// After the vendor settled: erred rows go to the errors file (`_stage` vendor, the customer's own
    /// row and line), and the results file lists every record once with its outcome.
    func recordOutcomes(_ results: [VendorRowResult]?, staging: Staging, log: RecordLog?, errors: ErrorsSink?, resultsPath: String?,
                        header: [String], input: ReportInput) throws {
        var byRecord: [Int: VendorRowResult] = [:]
        for result in results ?? [] where result.row >= 0 && result.row < staging.rowIndex.count {
            let record = Int(staging.rowIndex[result.row])
            // A fanned-out record is erred when any of its rows is.
            if byRecord[record]?.outcome != "erred" { byRecord[record] = result }
        }
        let erred = byRecord.filter { $0.value.outcome == "erred" }
        guard let log, resultsPath != nil || (errors != nil && !erred.isEmpty) else { return }
        var out: (any TableWriter)?
        if let resultsPath {
            out = try Tables.writer(path: resultsPath, format: .csv)
            try out?.writeHeader(header + ["_row", "_line", "_outcome", "_reason", "_id", "_warnings"])
        }
        try log.forEach { record, line, values, warnings in
            if let errors, let bad = erred[record] {
                try errors.append(RowIssue(outcome: .erred, record: record, line: line, reason: bad.message ?? "erred by the vendor",
                                           values: values, stage: "vendor", warnings: warnings.isEmpty ? [] : [warnings]))
            }
            guard let out else { return }
            let outcome: String, reason: String, id: String
            if let skipped = log.notSent[record] {
                (outcome, reason, id) = (skipped.outcome, skipped.reason, "")
            } else if let vendor = byRecord[record] {
                (outcome, reason, id) = (vendor.outcome, vendor.message ?? "", vendor.id ?? "")
            } else {
                (outcome, reason, id) = ("sent", "", "")
            }
            try out.writeRow(values.map(ErrorsFile.neutralised) + [String(record), String(line), outcome, ErrorsFile.neutralised(reason), id,
                                                                   ErrorsFile.neutralised(warnings)])
        }
        if let out, let resultsPath {
            _ = try out.finish()
            report.resultsFile = resultsPath
        }
    }
}
