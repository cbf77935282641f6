import LuaRuntime
import Pipeline
import Tabular

/// A job's transform: the script's stages (a source's `map`/`filter` and the job's `transform`
/// functions) run over each record; kept rows come back as values in the output column order, which
/// the first kept row fixes (its keys in source order, then its new keys by name, or `columns`).
final class LuaTransform: RecordTransform {
    private let stack: LuaStack
    private let source: RowSource
    private let fixedColumns: [String]?
    private var converter: RowConverter?

    init(stack: LuaStack, source: RowSource, columns: [String]?) {
        self.stack = stack
        self.source = source
        fixedColumns = columns
    }

    var columns: [String]? { converter?.columns ?? fixedColumns }

    func apply(_ record: BorrowedRecord, header: [String], emit: (BorrowedRows) throws -> Void) throws -> TransformVerdict {
        let s = stack
        let base = s.top
        defer { s.setTop(base) }
        switch try source.run(record, on: s) {
        case .dropped(let outcome, let reason):
            return outcome == .skipped ? .skipped(reason) : .rejected(reason)
        case .rows(let count):
            let first = base + 1
            do {
                let conv = try converter ?? {
                    let c = try RowConverter(stack: s, columns: fixedColumns ?? RowConverter.header(of: first, source: header, on: s),
                                             source: header)
                    converter = c
                    return c
                }()
                // The rows' values stay on the stack (their bytes borrowed) until `emit` has written them.
                try emit(try conv.lend(rows: first, count: Int(count)))
                return .kept
            } catch let problem as RowProblem {
                return .rejected("\(problem.description) (write, row \(record.number), line \(record.line))")
            }
        }
    }
}

/// A Lua list of row tables read as a table: the header is the first row's keys (source order when
/// it came from `roster.read`, then the rest by name); a later item that is not a row table, or
/// has a key outside that header, is rejected with its position.
final class LuaListReader: TableReader {
    private let stack: LuaStack
    private let list: LuaRef
    private let count: Int
    private var position = 0
    private let converter: RowConverter?
    let header: [String]
    var info: SourceInfo { SourceInfo(path: "(rows from the script)", format: .csv) }

    init(stack s: LuaStack, at index: Int32, columns: [String]?) throws {
        stack = s
        let i = s.absolute(index)
        count = s.rawLength(at: i)
        s.pushCopy(of: i)
        list = s.ref()
        var conv: RowConverter?
        if count > 0, s.rawGetType(index: 1, in: i) == .table {
            defer { s.pop() }
            let row = s.top
            let source = RowConverter.sourceHeader(of: row, on: s)
            conv = try RowConverter(stack: s, columns: columns ?? RowConverter.header(of: row, source: source, on: s), source: source)
        } else if count > 0 {
            s.pop()
        }
        converter = conv
        header = conv?.columns ?? columns ?? []
    }

    func next() throws -> ReadEvent? {
        guard position < count else { return nil }
        position += 1
        let s = stack
        try s.reserve(4)
        list.push(on: s)
        defer { s.pop(2) }
        guard s.rawGetType(index: position, in: -1) == .table, let converter else {
            return .rejected(RejectedRecord(number: position, line: position,
                                            reason: "item \(position) of the list is a \(s.type(at: -1).name), not a row table", values: []))
        }
        do {
            return .record(Record(values: try converter.values(of: -1), number: position, line: position))
        } catch let problem as RowProblem {
            return .rejected(RejectedRecord(number: position, line: position, reason: "item \(position): \(problem.description)", values: []))
        }
    }
}
