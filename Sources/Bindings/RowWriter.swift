import LuaRuntime
import Pipeline
import Tabular

/// Writes a source or a Lua array of row tables to a file. Columns: `columns` when given, else the
/// first row's keys in source order followed by its new keys sorted by name. A later row with a key
/// outside the header is rejected (named in the errors file), never silently cut.
struct RowWriter {
    let runner: JobRunner
    let workers: WorkerSetup
    let stack: LuaStack
    let path: String
    let format: TableFormat
    let options: WriteOptions
    let columns: [String]?
    let errorsPath: String?

    func write(from index: Int32) throws -> WriteSummary {
        let s = stack
        let value = s.absolute(index)
        if let src = s.object(at: value, className: RowSource.className, as: RowSource.self) {
            return try write(source: src)
        }
        guard s.type(at: value) == .table else {
            throw s.argumentError(1, function: "write", expected: "roster.Source or list of rows")
        }
        return try write(list: value)
    }

    /// A source is written by the job runner (the same loop, accounting and errors file as a job).
    private func write(source src: RowSource) throws -> WriteSummary {
        let transform = src.stages.isEmpty && columns == nil ? nil
            : RowTransforms.make(stack: stack, source: src, columns: columns, parallel: runner.settings.parallel, setup: workers)
        defer { src.table.finished = true }
        return try runner.export(src.table.reader, transform: transform, input: src.table.input, to: path, format: format,
                                 options: options, columns: columns, errorsFile: errorsPath)
    }

    private func write(list: Int32) throws -> WriteSummary {
        let s = stack
        let writer = try Tables.writer(path: path, format: format, options: options)
        let n = s.rawLength(at: list)
        var converter: RowConverter?
        for i in 0 ..< n {
            guard s.rawGetType(index: i + 1, in: list) == .table else {
                throw RosterScriptError("roster.write: item \(i + 1) of the list is a \(s.type(at: -1).name), not a row table")
            }
            let row = s.top
            if converter == nil {
                let source = RowConverter.sourceHeader(of: row, on: s)
                let c = try RowConverter(stack: s, columns: columns ?? RowConverter.header(of: row, source: source, on: s), source: source)
                try writer.writeHeader(c.columns)
                converter = c
            }
            do {
                if let conv = converter { try writer.writeRow(try conv.values(of: row)) }
            } catch let problem as RowProblem {
                throw RosterScriptError("roster.write: row \(i + 1): \(problem.description)")
            }
            s.pop()
        }
        if converter == nil { try writer.writeHeader(columns ?? []) }
        return try writer.finish()
    }
}

/// Why one output row could not be written.
struct RowProblem: Error, CustomStringConvertible {
    let description: String
}

/// Turns row tables into values in a fixed column order.
final class RowConverter {
    let columns: [String]
    private let stack: LuaStack
    private let keys: LuaRef
    private let known: Set<String>

    init(stack s: LuaStack, columns: [String], source: [String]) throws {
        self.columns = columns
        stack = s
        try s.reserve(4)
        s.newTable(arrayCapacity: columns.count)
        for (i, c) in columns.enumerated() {
            s.push(c)
            s.setIndex(i + 1, in: -2)
        }
        keys = s.ref()
        // Source columns left out of the output (dropped by the first row) are a projection, not an error.
        known = Set(columns).union(source)
    }

    /// The header of a row read by `roster.read` (from its metatable), or none.
    static func sourceHeader(of row: Int32, on s: LuaStack) -> [String] {
        guard s.pushMetatable(of: row) else { return [] }
        defer { s.pop(2) }
        guard s.getField("__roster_header", in: -1) == .table, case .table(let t)? = try? s.value(at: -1) else { return [] }
        return t.array.compactMap(\.stringValue)
    }

    /// Columns for a first row: its keys in `source` order, then its other keys sorted by name.
    static func header(of row: Int32, source: [String], on s: LuaStack) throws -> [String] {
        var names: [String] = []
        var seen = Set<String>()
        for name in source {
            if s.getField(name, in: row) != .nil {
                names.append(name)
                seen.insert(name)
            }
            s.pop()
        }
        var extra: [String] = []
        s.pushNil()
        while s.next(row) {
            s.pop()
            guard s.type(at: -1) == .string, let key = s.string(at: -1) else {
                s.pop()
                throw RowProblem(description: "row has a \(s.type(at: -1).name) key: row keys must be column names (strings)")
            }
            if !seen.contains(key) { extra.append(key) }
        }
        return names + extra.sorted()
    }

    /// The `count` rows at stack slots `first...` as values in column order, borrowed: the values are
    /// pushed above them and their bytes stay valid until the caller resets the stack.
    func lend(rows first: Int32, count: Int) throws -> BorrowedRows {
        let s = stack
        let width = columns.count
        slots.reserve(width * count)
        keys.push(on: s)
        let k = s.top
        var formatted: [(slot: Int, text: String)] = []
        for r in 0 ..< count {
            let row = first + Int32(r)
            let at = r * width
            let (present, numbers, bad) = try s.pushRowValues(of: row, keys: k, count: width, starts: slots.starts + at, lengths: slots.lengths + at)
            if let bad {
                s.rawGet(index: bad + 1, in: k)
                let type = s.rawGet(in: row)
                s.pop()
                throw RowProblem(description: "column '\(columns[bad])' holds a \(type.name); values must be strings, numbers or booleans")
            }
            if numbers > 0 {
                let valuesBase = s.top - Int32(width)
                for i in 0 ..< width where slots.starts[at + i] == nil {
                    formatted.append((at + i, s.string(at: valuesBase + 1 + Int32(i)) ?? ""))
                }
            }
            // Keys beyond the output columns (a misspelt or new column) are an error, never dropped.
            if s.entryCount(of: row) > present { try checkKeys(of: row) }
        }
        if !formatted.isEmpty {
            var total = 0
            for f in formatted { total += f.text.utf8.count }
            if total > numberCapacity {
                numberBytes.deallocate()
                numberCapacity = max(total, numberCapacity * 2)
                numberBytes = .allocate(capacity: numberCapacity)
            }
            var used = 0
            for f in formatted {
                var text = f.text
                let n = text.withUTF8 { b -> Int in
                    if let p = b.baseAddress { (numberBytes + used).update(from: p, count: b.count) }
                    return b.count
                }
                slots.starts[f.slot] = UnsafePointer(numberBytes + used)
                slots.lengths[f.slot] = n
                used += n
            }
        }
        return BorrowedRows(count: count, width: width, slots: slots)
    }
    private let slots = FieldSlots()
    private var numberBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    private var numberCapacity = 256
    deinit { numberBytes.deallocate() }

    /// Throws when the row at `row` has keys outside the output columns (and the source columns left out).
    private func checkKeys(of row: Int32) throws {
        let s = stack
        var unknown: [String] = []
        s.pushNil()
        while s.next(row) {
            s.pop()
            let key = s.string(at: -1) ?? "(\(s.type(at: -1).name) key)"
            if s.type(at: -1) != .string || !known.contains(key) { unknown.append(key) }
        }
        if !unknown.isEmpty {
            throw RowProblem(description: "column(s) \(unknown.sorted().joined(separator: ", ")) not in the output header (\(columns.joined(separator: ", "))), which the first row set: add them to the first row or pass columns = {...}")
        }
    }

    /// The row at `index` as values in column order (its own strings).
    func values(of index: Int32) throws -> [String] {
        let s = stack
        let base = s.top
        defer { s.setTop(base) }
        return try lend(rows: s.absolute(index), count: 1)[0].strings()
    }
}
