import Foundation
import Logging
import LuaRuntime
import Pipeline
import Tabular

/// What a worker state needs to be set up like the script's own (Sendable: crosses to the worker thread).
struct WorkerSetup: Sendable {
    var options: LuaOptions
    var logger: Logger
    var environment: [String: String]
}

/// Picks the transform for a source's stages: the script's own state, or N states, N the larger of
/// `parallel` (the run's or the job's) and the source's own (`map(fn, { parallel = N })`).
enum RowTransforms {
    static func make(stack: LuaStack, source: RowSource, columns: [String]?, parallel: Int, setup: WorkerSetup) -> any RecordTransform {
        let sequential = LuaTransform(stack: stack, source: source, columns: columns)
        let parallel = max(parallel, source.parallel)
        guard parallel > 1, !source.stages.isEmpty else { return sequential }
        return ParallelTransform(sequential: sequential, stack: stack, source: source, workers: parallel, setup: setup)
    }
}

/// Runs a source's stages in N Lua states on their own threads (`parallel = N`). Each state gets a
/// copy of the stage functions (bytecode and upvalues, see `PortableValue`) and of the script's
/// globals; batches of records go out round-robin and come back in input order, so the accounting,
/// the errors file and the output are those of one state. The script's own state runs the records
/// until the first row is kept (it fixes the output columns), then the workers take over.
/// Safe for stages that keep no state across rows: a worker's changes to upvalues or globals are its own.
final class ParallelTransform: PipelinedTransform {
    private let sequential: LuaTransform
    private let stack: LuaStack
    private let source: RowSource
    private let workerCount: Int
    private let setup: WorkerSetup
    private var pool: WorkerPool?
    private let header: [String]

    init(sequential: LuaTransform, stack: LuaStack, source: RowSource, workers: Int, setup: WorkerSetup) {
        self.sequential = sequential
        self.stack = stack
        self.source = source
        workerCount = workers
        self.setup = setup
        header = source.table.reader.header
    }

    deinit { pool?.stop() }

    var columns: [String]? { sequential.columns }

    func apply(_ record: BorrowedRecord, header: [String], emit: (BorrowedRows) throws -> Void) throws -> TransformVerdict {
        try sequential.apply(record, header: header, emit: emit)
    }

    func submit(_ record: BorrowedRecord, done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws {
        if let pool { return try pool.submit(record, done: done) }
        var kept = false
        let verdict = try sequential.apply(record, header: header) { rows in
            kept = true
            try done(record, .kept, rows)
        }
        if !kept { try done(record, verdict, nil) }
        if let columns = sequential.columns { pool = try WorkerPool(count: workerCount, source: source, columns: columns, header: header,
                                                                      stack: stack, setup: setup) }
    }

    func finish(done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws {
        try pool?.finish(done: done)
        pool = nil
    }
}

/// A copy of one stage for the workers.
private struct PortableStage: Sendable {
    var kind: RowStage.Kind
    var name: String
    var function: PortableValue
}

/// Fields copied out of a buffer that is about to be reused: their bytes one after another, and
/// each field's (start, length) in `spans`.
private struct CopiedFields: Sendable {
    var bytes: [UInt8] = []
    var spans: [Int] = []
    /// How many fields are held.
    var count: Int { spans.count / 2 }

    mutating func append(_ fields: BorrowedFields) {
        for i in 0 ..< fields.count {
            let field = fields[i]
            spans.append(bytes.count)
            spans.append(field.count)
            bytes.append(contentsOf: field)
        }
    }

    /// Fields `first ..< first + n` lent over `base` (these `bytes`, held by the caller), in `slots`.
    func lend(_ first: Int, count n: Int, base: UnsafeBufferPointer<UInt8>, into slots: FieldSlots) -> BorrowedFields {
        slots.reserve(n)
        for f in 0 ..< n {
            let at = 2 * (first + f)
            slots.starts[f] = base.baseAddress.map { UnsafePointer($0 + spans[at]) }
            slots.lengths[f] = spans[at + 1]
        }
        return slots.fields(n)
    }
}

/// Records copied out of the reader's buffer for a worker.
private struct InBatch: Sendable {
    /// Position in the input: results are handed over in this order.
    var sequence = 0
    struct Item: Sendable {
        var number: Int
        var line: Int
        var warnings: [String]
        var firstField: Int
        var fields: Int
    }
    var fields = CopiedFields()
    var items: [Item] = []

    /// `item` as a borrowed record over `base` (this batch's bytes, held by the caller), its fields in `slots`.
    func record(_ item: Item, base: UnsafeBufferPointer<UInt8>, slots: FieldSlots) -> BorrowedRecord {
        BorrowedRecord(number: item.number, line: item.line, fields: fields.lend(item.firstField, count: item.fields, base: base, into: slots),
                       warnings: item.warnings)
    }
}

/// What a worker made of a batch: per record a verdict, and the kept rows' values.
private struct OutBatch: Sendable {
    /// The InBatch's sequence; -1 for a worker that could not be set up.
    var sequence = 0
    enum Result: Sendable {
        case kept(firstField: Int, rows: Int)
        case skipped(String)
        case rejected(String)
    }
    var values = CopiedFields()
    var results: [Result] = []
    /// Set when the worker could not go on (a script error that stops the run).
    var failure: String?
}

/// A blocking FIFO between threads. `@unchecked Sendable`: `items` and `closed` are only touched under `condition`.
private final class Channel<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private var closed = false

    func put(_ item: T) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// The next item, waiting for it; nil once closed and empty.
    func take() -> T? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        // A few batches at most wait here: removing the first frees its bytes at once.
        return items.isEmpty ? nil : items.removeFirst()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// N worker threads, each with its own Lua state. They take batches from one queue as they become
/// free (a worker slowed by the scheduler holds up no other); results are handed over in input order.
private final class WorkerPool {
    private let input = Channel<InBatch>()
    private let output = Channel<OutBatch>()
    /// Batches sent and not yet read back, oldest first (kept: their bytes back the records handed to `done`).
    private var pending: [InBatch] = []
    /// Results that came back before an older batch's, by sequence.
    private var early: [Int: OutBatch] = [:]
    private var sent = 0
    private var received = 0
    private var batch = InBatch()
    private let batchSize = 512
    private let maxInFlight: Int
    private let recordSlots = FieldSlots()
    private let rowSlots = FieldSlots()
    private let width: Int
    private var stopped = false

    init(count: Int, source: RowSource, columns: [String], header: [String], stack s: LuaStack, setup: WorkerSetup) throws {
        let library = s.libraryIndex()
        var stages: [PortableStage] = []
        for stage in source.stages {
            stage.function.push(on: s)
            defer { s.pop() }
            do {
                stages.append(PortableStage(kind: stage.kind, name: stage.name,
                                            function: try s.portable(at: -1, library: library, what: "the function of stage '\(stage.name)'")))
            } catch let error as PortableValueError {
                throw RosterScriptError("parallel: \(error.description); run this source with parallel = 1, or keep such values out of its functions")
            }
        }
        let globals = Self.userGlobals(on: s, library: library)
        width = columns.count
        maxInFlight = count * 4
        let path = source.table.path
        let portable = stages
        let input = input, output = output
        for i in 0 ..< count {
            let thread = Thread {
                Worker.run(input: input, output: output, stages: portable, globals: globals, header: header, columns: columns,
                           path: path, setup: setup)
            }
            thread.name = "roster-worker-\(i + 1)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The script's own globals that can be copied (not the libraries'), so stage functions find their helpers.
    private static func userGlobals(on s: LuaStack, library: [UnsafeRawPointer: String]) -> [(String, PortableValue)] {
        var found: [(String, PortableValue)] = []
        guard (try? s.reserve(8)) != nil else { return [] }
        s.pushGlobals()
        let g = s.top
        defer { s.setTop(g - 1) }
        s.pushNil()
        while s.next(g) {
            defer { s.pop() }
            guard s.type(at: -2) == .string, let name = s.string(at: -2), !LuaStack.libraryTables.contains(name), name != "_G", name != "arg" else { continue }
            if let value = try? s.portable(at: -1, library: library, what: "global '\(name)'") {
                if case .library = value { continue }
                found.append((name, value))
            }
        }
        return found
    }

    func submit(_ record: BorrowedRecord, done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws {
        let first = batch.fields.count
        batch.fields.append(record.fields)
        batch.items.append(.init(number: record.number, line: record.line, warnings: record.warnings, firstField: first, fields: record.fields.count))
        if batch.items.count >= batchSize || batch.fields.bytes.count >= 1 << 20 { try send(done: done) }
    }

    func finish(done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws {
        if !batch.items.isEmpty { try send(done: done) }
        while received < sent { try receive(done: done) }
        stop()
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        input.close()
    }

    private func send(done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws {
        while sent - received >= maxInFlight { try receive(done: done) }
        batch.sequence = sent
        input.put(batch)
        pending.append(batch)
        sent += 1
        batch = InBatch()
        batch.fields.bytes.reserveCapacity(pending.last?.fields.bytes.count ?? 0)
    }

    /// Reads back the oldest batch and hands its records over in order.
    private func receive(done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws {
        var next = early.removeValue(forKey: received)
        while next == nil {
            guard let out = output.take() else {
                stop()
                throw RosterScriptError("parallel: a worker stopped without an answer")
            }
            if out.sequence == received || out.sequence < 0 { next = out } else { early[out.sequence] = out }
        }
        guard let out = next else { return }
        let input = pending.removeFirst()
        received += 1
        if let failure = out.failure {
            stop()
            throw RosterScriptError(failure)
        }
        try input.fields.bytes.withUnsafeBufferPointer { inBytes in
            try out.values.bytes.withUnsafeBufferPointer { outBytes in
                for (k, item) in input.items.enumerated() {
                    let record = input.record(item, base: inBytes, slots: recordSlots)
                    switch out.results[k] {
                    case let .kept(firstField, rows):
                        _ = out.values.lend(firstField, count: rows * width, base: outBytes, into: rowSlots)
                        try done(record, .kept, BorrowedRows(count: rows, width: width, slots: rowSlots))
                    case .skipped(let reason):
                        try done(record, .skipped(reason), nil)
                    case .rejected(let reason):
                        try done(record, .rejected(reason), nil)
                    }
                }
            }
        }
    }
}

/// The body of one worker thread: its own state, the stages rebuilt in it, batches in and out.
private enum Worker {
    static func run(input: Channel<InBatch>, output: Channel<OutBatch>, stages: [PortableStage], globals: [(String, PortableValue)],
                    header: [String], columns: [String], path: String, setup: WorkerSetup) {
        let state: LuaState
        let transform: LuaTransform
        do {
            state = try LuaState(options: setup.options)
            _ = try RosterModule.install(into: state, context: RosterContext(logger: setup.logger, environment: setup.environment))
            let s = state.stack
            for (name, value) in globals {
                if s.getGlobal(name) != .nil { s.pop(); continue }
                s.pop()
                try s.push(portable: value)
                s.setGlobal(name)
            }
            var rebuilt: [RowStage] = []
            for stage in stages {
                try s.push(portable: stage.function)
                rebuilt.append(RowStage.make(kind: stage.kind, function: s.ref(), name: stage.name, sourcePath: path, on: s))
            }
            let table = try OpenedTable(reader: HeaderOnlyReader(header: header, path: path), path: path, stack: s)
            // The output columns are those the script's state fixed.
            transform = LuaTransform(stack: s, source: RowSource(table: table, stages: rebuilt), columns: columns)
        } catch {
            output.put(OutBatch(sequence: -1, failure: "parallel: a worker could not be set up: \(error)"))
            return
        }
        // The transform reaches the state through an unowned reference: keep the state alive to the end.
        defer { withExtendedLifetime(state) {} }
        let slots = FieldSlots()
        while let batch = input.take() {
            var out = OutBatch(sequence: batch.sequence)
            out.results.reserveCapacity(batch.items.count)
            out.values.bytes.reserveCapacity(batch.fields.bytes.count + batch.fields.bytes.count / 4)
            out.values.spans.reserveCapacity(batch.fields.spans.count)
            do {
                try batch.fields.bytes.withUnsafeBufferPointer { bytes in
                    for item in batch.items {
                        let record = batch.record(item, base: bytes, slots: slots)
                        out.results.append(try Self.transform(record, with: transform, header: header, into: &out))
                    }
                }
            } catch {
                out.failure = "\(error)"
                output.put(out)
                return
            }
            output.put(out)
        }
    }

    /// One record through the worker's `LuaTransform`, its rows copied into `out`.
    private static func transform(_ record: BorrowedRecord, with transform: LuaTransform, header: [String],
                                  into out: inout OutBatch) throws -> OutBatch.Result {
        var kept: OutBatch.Result?
        let verdict = try transform.apply(record, header: header) { rows in
            let first = out.values.count
            for r in 0 ..< rows.count { out.values.append(rows[r]) }
            kept = .kept(firstField: first, rows: rows.count)
        }
        switch verdict {
        case .kept: return kept ?? .kept(firstField: out.values.count, rows: 0)
        case .skipped(let reason): return .skipped(reason)
        case .rejected(let reason): return .rejected(reason)
        }
    }
}

/// A reader with a header and no records: the table of a worker's rows (records come from batches).
private final class HeaderOnlyReader: TableReader {
    let header: [String]
    let info: SourceInfo

    init(header: [String], path: String) {
        self.header = header
        info = SourceInfo(path: path, format: .csv)
    }

    func next() throws -> ReadEvent? { nil }
}
