import LuaRuntime
import Pipeline
import Tabular

/// One opened table shared by a source and the sources derived from it with `map`/`filter`:
/// the reader (read once), its accounting, and the Lua strings of its header.
final class OpenedTable {
    let reader: any TableReader
    let path: String
    /// The input as the run report counts it (its accounting and errors file).
    let input: ReportInput
    var accounting: RowAccounting { input.accounting }
    var finished = false
    /// Header names as a Lua array, so rows are built without re-hashing key strings.
    let keys: LuaRef
    /// Metatable shared by every row of this table; `__roster_header` lets writers keep source order.
    let rowMeta: LuaRef
    /// How the file was opened (nil for rows from the script): a second pass (dedupe keep = "last") reads it the same way.
    var readOptions: ReadOptions?
    /// Set when `roster.write(..., { errors = PATH })` wrote this table's errors file.
    var errorsFilePath: String? {
        get { input.errorsFile }
        set { input.errorsFile = newValue }
    }

    /// The reader's records on the row path (borrowed, or their strings lent).
    let records: RecordStream

    init(reader: any TableReader, path: String, stack s: LuaStack) throws {
        self.reader = reader
        records = RecordStream(reader)
        self.path = path
        input = ReportInput(path: path, accounting: RowAccounting())
        let header = reader.header
        try s.reserve(4)
        s.newTable(arrayCapacity: header.count)
        for (i, name) in header.enumerated() {
            s.push(name)
            s.setIndex(i + 1, in: -2)
        }
        s.pushCopy(of: -1)
        keys = s.ref()
        s.newTable(fieldCapacity: 1)
        roster_swap(s)
        s.setField("__roster_header", in: -2)
        rowMeta = s.ref()
    }

    /// Pushes a row table for `fields` (keyed by header name; missing fields are "").
    func pushRow(_ fields: BorrowedFields, on s: LuaStack) throws {
        let count = reader.header.count
        try s.reserve(6)
        keys.push(on: s)
        rowMeta.push(on: s)
        let meta = s.top
        if fields.count >= count {
            try s.pushRow(keys: meta - 1, metatable: meta, count: count, starts: fields.starts, lengths: fields.lengths)
        } else {
            // Fewer fields than the header (rows from a list): the rest are empty.
            padding.reserve(count)
            for i in 0 ..< count {
                padding.starts[i] = i < fields.count ? fields.starts[i] : nil
                padding.lengths[i] = i < fields.count ? fields.lengths[i] : 0
            }
            try s.pushRow(keys: meta - 1, metatable: meta, count: count, starts: padding.starts, lengths: padding.lengths)
        }
        s.remove(count: 2, at: meta - 1)
    }
    private let padding = FieldSlots()
}

/// Swaps the two values on top of the stack.
private func roster_swap(_ s: LuaStack) {
    s.pushCopy(of: -2)
    s.stackRemove(-3)
}

/// A stage added by `map` or `filter`.
struct RowStage {
    enum Kind { case map, filter }
    let kind: Kind
    let function: LuaRef
    let name: String
    /// The `ctx` table handed to the function, updated before each call.
    let context: LuaRef
}

/// What `roster.read` returns: a lazy, streaming chain of a table and its stages.
final class RowSource {
    static let className = "roster.Source"
    let table: OpenedTable
    let stages: [RowStage]
    /// Lua states to run the stages in when written or imported (`map(fn, { parallel = N })`).
    var parallel = 1
    /// Rows produced by a fan-out that the iterator has not handed out yet.
    private var pending: [(row: LuaRef, record: Record)] = []

    init(table: OpenedTable, stages: [RowStage]) {
        self.table = table
        self.stages = stages
    }

    /// Outcome of running the stages over one record.
    enum StageResult {
        case rows(Int32)
        case dropped(RowOutcome, String)
    }

    /// Reads records until one yields output rows; pushes them (count returned) or returns nil at the end.
    /// Rejected records and records the stages skip or reject are accounted for on the way.
    func pullRecord(on s: LuaStack) throws -> (count: Int32, record: Record)? {
        if table.finished { return nil }
        while let step = try table.records.next() {
            table.accounting.recordRead()
            let record: BorrowedRecord
            switch step {
            case .rejected(let r):
                try table.accounting.record(RowIssue(outcome: .rejected, record: r.number, line: r.line, reason: r.reason, values: r.values))
                continue
            case .record(let borrowed):
                record = borrowed
            }
            table.accounting.noteWarnings(record: record.number, line: record.line, warnings: record.warnings)
            switch try run(record, on: s) {
            case .rows(let n):
                return (n, Record(values: [], number: record.number, line: record.line, warnings: record.warnings))
            case .dropped(let outcome, let reason):
                try table.accounting.record(RowIssue(outcome: outcome, record: record.number, line: record.line, reason: reason,
                                                     values: record.fields.strings(), stage: "transform", warnings: record.warnings))
            }
        }
        table.finished = true
        return nil
    }

    /// Runs the stages over one record: its output rows are left on the stack (count returned), or
    /// nothing is left when the record was skipped or rejected. An error or an exhausted instruction
    /// budget in a stage rejects the record, naming the stage, the row and the line.
    func run(_ record: BorrowedRecord, on s: LuaStack) throws -> StageResult {
        let base = s.top
        try table.pushRow(record.fields, on: s)
        var result = StageResult.rows(1)
        for stage in stages {
            guard case .rows(let n) = result else { break }
            result = try apply(stage, rows: n, above: base, record: record, on: s)
        }
        if case .dropped = result { s.setTop(base) }
        return result
    }

    /// Runs one stage over the `count` rows at `base+1...`; leaves its output rows there instead.
    private func apply(_ stage: RowStage, rows count: Int32, above base: Int32, record: BorrowedRecord, on s: LuaStack) throws -> StageResult {
        let inputTop = base + count
        var lastSkip = ""
        try s.reserve(8)
        s.pushStageContext(stage.context, row: record.number, line: record.line)
        let ctx = s.top
        // ctx.warnings: what the reader noticed about this record (a padded row...), or nil.
        if !record.warnings.isEmpty {
            s.newTable(arrayCapacity: record.warnings.count)
            for (i, w) in record.warnings.enumerated() {
                s.push(w)
                s.setIndex(i + 1, in: -2)
            }
            s.setField("warnings", in: ctx)
        }
        stage.function.push(on: s)
        let function = s.top
        let filter = stage.kind == .filter
        for i in 1 ... count {
            let problem: String
            switch s.runStage(function: function, row: base + i, context: ctx, filter: filter) {
            case .rows:
                continue
            case .skipped:
                lastSkip = s.string(at: -1) ?? (filter ? "filtered out by \(stage.name)" : "skipped by \(stage.name)")
                s.pop()
                continue
            case .badType(let type):
                problem = "\(stage.name) returned a \(type.name): return the row, nil and a reason, or a list of rows"
            case .badItem(let j):
                problem = "\(stage.name) returned a list whose item \(j) is not a row table"
            case .stackFull:
                problem = "\(stage.name) returned more rows for one record than the Lua stack holds (a list of over 1,000,000): fan out to fewer"
            case .failed(let status, let hit):
                do {
                    try s.throwIfFailed(status: status, budgetHit: hit)
                    problem = "\(stage.name) failed"
                } catch let error as LuaError where error.kind != .syntax && error.kind != .file && !(error.underlying is ScriptExit)
                            && !s.state.stopRequested {
                    problem = error.message
                }
            }
            s.setTop(base + count)
            return .dropped(.rejected, "\(problem) (\(stage.name), row \(record.number), line \(record.line))")
        }
        // Outputs sit above the inputs, the ctx and the function: drop those.
        let outputs = s.top - inputTop - 2
        s.remove(count: count + 2, at: base + 1)
        if outputs == 0 { return .dropped(.skipped, lastSkip) }
        return .rows(outputs)
    }

    /// The iterator behind `src:rows()`: pushes row, record number and line; nothing at the end.
    func nextRow(on s: LuaStack) throws -> Int32 {
        s.setTop(0)
        if !pending.isEmpty {
            let (row, record) = pending.removeFirst()
            row.push(on: s)
            s.push(Int64(record.number))
            s.push(Int64(record.line))
            return 3
        }
        guard let (count, record) = try pullRecord(on: s) else {
            s.pushNil()
            return 1
        }
        table.accounting.recordSent()
        if count > 1 {
            for _ in 1 ..< count { pending.insert((s.ref(), record), at: 0) }
        }
        s.push(Int64(record.number))
        s.push(Int64(record.line))
        return 3
    }
}
