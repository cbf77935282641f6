import Foundation
import LuaRuntime
import Pipeline
import Tabular

/// `roster.read` and `roster.write`, and the methods of the sources they work with.
enum TableBinding {
    static func define(on s: LuaStack, into module: Int32, report: RunReport, jobs: JobBinding) {
        s.defineClass(RowSource.className, methods: [
            "header": { s in
                let src = try source(s, "header")
                s.push(LuaValue.table(LuaTable(array: src.table.reader.header.map { .string($0) })))
                return 1
            },
            "info": { s in
                let info = try source(s, "info").table.reader.info
                s.push(LuaValue.table(LuaTable(fields: [
                    "path": .string(info.path), "format": .string(info.format.rawValue),
                    "encoding": info.encoding.map { .string($0) } ?? .nil,
                    "delimiter": info.delimiter.map { .string(String(UnicodeScalar($0))) } ?? .nil,
                    "sheets": .table(LuaTable(array: info.sheets.map { .string($0) })),
                    "warnings": .table(LuaTable(array: info.warnings.map { .string($0) })),
                ])))
                return 1
            },
            "rows": { s in
                let src = try source(s, "rows")
                s.push(function: { s in try src.nextRow(on: s) })
                return 1
            },
            "map": { s in try derive(s, kind: .map) },
            "filter": { s in try derive(s, kind: .filter) },
            "stats": { s in
                let a = try source(s, "stats").table.accounting
                s.push(LuaValue.table(LuaTable(fields: [
                    "read": .integer(Int64(a.read)), "sent": .integer(Int64(a.sent)),
                    "skipped": .integer(Int64(a.skipped)), "rejected": .integer(Int64(a.rejected)),
                    "balanced": .boolean(a.balanced), "warned": .integer(Int64(a.warned)),
                ])))
                return 1
            },
            "issues": { s in
                // Skips and rejections, and records let through with reader warnings (outcome "warning"), in row order.
                let accounting = try source(s, "issues").table.accounting
                func strings(_ list: [String]) -> LuaValue { .table(LuaTable(array: list.map(LuaValue.string))) }
                var entries: [(row: Int, value: LuaValue)] = accounting.issues.map { i in
                    var fields: [LuaValue: LuaValue] = [
                        "outcome": .string(i.outcome.rawValue), "row": .integer(Int64(i.record)),
                        "line": .integer(Int64(i.line)), "reason": .string(i.reason), "stage": .string(i.stage),
                    ]
                    if !i.warnings.isEmpty { fields["warnings"] = strings(i.warnings) }
                    return (i.record, .table(LuaTable(fields: fields)))
                }
                let dropped = Set(accounting.issues.map(\.record))
                for w in accounting.warnings where !dropped.contains(w.record) {
                    entries.append((w.record, .table(LuaTable(fields: [
                        "outcome": .string("warning"), "row": .integer(Int64(w.record)), "line": .integer(Int64(w.line)),
                        "reason": .string(w.warnings.joined(separator: "; ")), "warnings": strings(w.warnings),
                    ]))))
                }
                s.push(LuaValue.table(LuaTable(array: entries.enumerated().sorted { ($0.element.row, $0.offset) < ($1.element.row, $1.offset) }
                    .map(\.element.value))))
                return 1
            },
        ], metamethods: [
            "__tostring": { s in
                let src = try source(s, "__tostring")
                s.push("roster.Source(\(src.table.path), \(src.table.reader.info.format.rawValue), \(src.stages.count) stages)")
                return 1
            },
        ])

        s.push(function: { s in try read(s, report: report) })
        s.setField("read", in: module)
        s.push(function: { s in try write(s, jobs: jobs) })
        s.setField("write", in: module)
    }

    static func source(_ s: LuaStack, _ method: String) throws -> RowSource {
        try s.checkObject(1, className: RowSource.className, method: method, as: RowSource.self)
    }

    /// `src:map(fn [, name])` / `src:filter(pred [, name])`: a new lazy source with one more stage.
    static func derive(_ s: LuaStack, kind: RowStage.Kind) throws -> Int32 {
        let verb = kind == .map ? "map" : "filter"
        let src = try source(s, verb)
        guard s.type(at: 2) == .function else { throw s.argumentError(2, function: verb, expected: "function") }
        // The third argument: the stage's name, or options { name = ..., parallel = N }.
        var name = verb
        var parallel = 1
        if s.type(at: 3) == .table {
            try OptionReader.check(keys(of: 3, on: s), known: ["name", "parallel"], function: verb)
            name = try optionString(s, "name", in: 3, verb) ?? verb
            if s.getField("parallel", in: 3) != .nil {
                guard let n = s.integer(at: -1), n >= 1, n <= 64 else {
                    throw RosterScriptError("\(verb): parallel must be a whole number of Lua states from 1 to 64, e.g. { parallel = 2 }")
                }
                parallel = Int(n)
            }
            s.pop()
        } else {
            name = try s.optionalString(3, function: verb) ?? verb
        }
        s.setTop(2)
        let function = s.ref()
        let derived = RowSource(table: src.table, stages: src.stages + [RowStage.make(kind: kind, function: function, name: name,
                                                                                      sourcePath: src.table.path, on: s)])
        derived.parallel = max(src.parallel, parallel)
        s.push(object: derived, className: RowSource.className)
        return 1
    }

    /// `roster.read(path [, opts])`.
    static func read(_ s: LuaStack, report: RunReport) throws -> Int32 {
        let path = try s.checkString(1, function: "read")
        try s.state.checkFile(path, function: "roster.read")
        var options = ReadOptions()
        if s.type(at: 2) == .table {
            try OptionReader.check(keys(of: 2, on: s), known: ["format", "sheet", "delimiter", "encoding", "header", "skip", "ragged", "max_field_bytes",
                                                          "quote", "comment", "columns"],
                                   function: "roster.read")
            if let f = try optionString(s, "format", in: 2, "read") {
                guard let format = TableFormat(rawValue: f.lowercased()) else {
                    throw RosterScriptError("roster.read: unknown format '\(f)' (use csv, xlsx, xls, json or xml)")
                }
                options.format = format
            }
            switch s.getField("sheet", in: 2) {
            case .number: options.sheet = .index(Int(s.integer(at: -1) ?? 1))
            case .string: options.sheet = .name(s.string(at: -1) ?? "")
            default: break
            }
            s.pop()
            if let d = try optionString(s, "delimiter", in: 2, "read") {
                let bytes = Array((d == "\\t" ? "\t" : d).utf8)
                guard bytes.count == 1 else { throw RosterScriptError("roster.read: delimiter must be one character, got '\(d)'") }
                options.delimiter = bytes[0]
            }
            if let e = try optionString(s, "encoding", in: 2, "read") { options.encoding = e }
            switch s.getField("quote", in: 2) {
            case .nil: break
            case .boolean where !s.boolean(at: -1): options.quote = nil
            case .string where s.string(at: -1)?.utf8.count == 1: options.quote = s.string(at: -1)?.utf8.first
            default:
                s.pop()
                throw RosterScriptError("roster.read: quote must be one character (e.g. quote = \"'\") or false when quotes are ordinary text")
            }
            s.pop()
            if let c = try optionString(s, "comment", in: 2, "read") {
                guard c.utf8.count == 1 else { throw RosterScriptError("roster.read: comment must be one character (e.g. comment = \"#\"), got '\(c)'") }
                options.comment = c.utf8.first
            }
            options.columns = try columnPicks(s, in: 2)
            switch s.getField("header", in: 2) {
            case .boolean: options.header = s.boolean(at: -1)
            case .nil: break
            default:
                guard let row = s.integer(at: -1), row >= 1 else {
                    s.pop()
                    throw RosterScriptError("roster.read: header must be true, false or the 1-based row that holds the header (e.g. header = 3)")
                }
                options.headerRow = Int(row)
            }
            s.pop()
            if let n = try optionInteger(s, "skip", in: 2, atLeast: 0,
                                         "roster.read: skip must be a whole number of rows to pass over before the header") {
                options.skip = n
            }
            if let r = try optionString(s, "ragged", in: 2, "read") {
                guard let mode = RaggedRows(rawValue: r) else {
                    throw RosterScriptError("roster.read: ragged must be \"reject\" (the default) or \"pad\", got \"\(r)\"")
                }
                options.ragged = mode
            }
            if let n = try optionInteger(s, "max_field_bytes", in: 2, atLeast: 1024,
                                         "roster.read: max_field_bytes must be a whole number of bytes, at least 1024 (default \(ReadOptions.defaultMaxFieldBytes))") {
                options.maxFieldBytes = n
            }
        }
        let reader = try Tables.open(path: path, options: options)
        let table = try OpenedTable(reader: reader, path: path, stack: s)
        table.readOptions = options
        report.add(table.input)
        s.push(object: RowSource(table: table, stages: []), className: RowSource.className)
        return 1
    }

    /// `columns = { "Email", Phone = "Mobile Number" }`: listed names are kept as they are, in order;
    /// `new = "Header"` pairs rename, after them in the file's order (resolved by the reader).
    static func columnPicks(_ s: LuaStack, in index: Int32) throws -> [ColumnPick]? {
        defer { s.pop() }
        switch s.getField("columns", in: index) {
        case .nil: return nil
        case .table: break
        default: throw RosterScriptError("roster.read: columns must be a table: { \"Email\", Phone = \"Mobile Number\" } keeps Email and renames Mobile Number to Phone")
        }
        guard case .table(let t) = try s.value(at: -1) else { return nil }
        let picks = t.array.compactMap { $0.stringValue.map(ColumnPick.init) }
        guard picks.count == t.array.count else { throw RosterScriptError("roster.read: columns lists column names (strings)") }
        var renames: [ColumnPick] = []
        for (key, value) in t.fields {
            guard let name = key.stringValue, let source = value.stringValue else {
                throw RosterScriptError("roster.read: columns renames with name = \"Header in the file\" (strings), got \(key) = \(value)")
            }
            renames.append(ColumnPick(name: name, source: source, listed: false))
        }
        return picks + renames
    }

    /// The keys of the table at `index` (non-string keys as their type in parentheses).
    static func keys(of index: Int32, on s: LuaStack) -> [String] {
        var keys: [String] = []
        s.pushNil()
        while s.next(index) {
            s.pop()
            keys.append(s.type(at: -1) == .string ? (s.string(at: -1) ?? "") : "(\(s.type(at: -1).name) key)")
        }
        return keys
    }

    /// The string (or number) option `key` of the options table at `index`, if set.
    static func optionString(_ s: LuaStack, _ key: String, in index: Int32, _ function: String) throws -> String? {
        defer { s.pop() }
        switch s.getField(key, in: index) {
        case .nil: return nil
        case .string, .number: return s.string(at: -1)
        default: throw RosterScriptError("roster.\(function): option '\(key)' must be a string")
        }
    }

    /// The integer option `key` of the options table at `index`, if set; anything else, or less than `minimum`, throws `message`.
    static func optionInteger(_ s: LuaStack, _ key: String, in index: Int32, atLeast minimum: Int64, _ message: String) throws -> Int? {
        defer { s.pop() }
        guard s.getField(key, in: index) != .nil else { return nil }
        guard let n = s.integer(at: -1), n >= minimum else { throw RosterScriptError(message) }
        return Int(n)
    }

    /// `roster.write(rows, path [, opts])` -> `{ path=, rows=, bytes=, format= }`.
    static func write(_ s: LuaStack, jobs: JobBinding) throws -> Int32 {
        let runner = jobs.runner
        let path = try s.checkString(2, function: "write")
        try s.state.checkFile(path, function: "roster.write")
        // The format follows the extension; a table extension Roster cannot write is an error, never CSV in disguise.
        let ext = (path as NSString).pathExtension.lowercased()
        let byExtension = Tables.writeFormat(forPath: path)
        if byExtension == nil, let named = TableFormat(rawValue: ext) {
            throw RosterScriptError("roster.write: cannot write \(named.rawValue.uppercased()) (\(path)): write .csv, .xlsx, .json or .xml")
        }
        var format = byExtension ?? .csv
        var columns: [String]?
        var errorsPath: String?
        var options = WriteOptions()
        if ext == "tsv" { options.delimiter = 0x09 }
        if s.type(at: 3) == .table {
            try OptionReader.check(keys(of: 3, on: s), known: ["format", "columns", "errors", "delimiter", "encoding", "line_ending", "quote", "header"],
                                   function: "roster.write")
            if let f = try optionString(s, "format", in: 3, "write") {
                guard let chosen = TableFormat(rawValue: f.lowercased()), [.csv, .xlsx, .json, .xml].contains(chosen) else {
                    throw RosterScriptError("roster.write: unknown format '\(f)' (use csv, xlsx, json or xml)")
                }
                if let byExtension, byExtension != chosen {
                    throw RosterScriptError("roster.write: format '\(f)' does not match the extension of \(path) (\(byExtension.rawValue))")
                }
                format = chosen
            }
            switch s.getField("columns", in: 3) {
            case .nil: break
            case .table:
                if case .table(let t) = try s.value(at: -1) {
                    columns = t.array.compactMap(\.stringValue)
                    if columns?.count != t.array.count || !t.fields.isEmpty {
                        throw RosterScriptError("roster.write: columns lists the output columns in order, as strings: { \"Email\", \"Phone\" }")
                    }
                }
            default: throw RosterScriptError("roster.write: columns must be a list of column names")
            }
            s.pop()
            errorsPath = try optionString(s, "errors", in: 3, "write")
            if let errorsPath { try s.state.checkFile(errorsPath, function: "roster.write") }
            try layout(&options, s, format: format)
        }
        let summary = try RowWriter(runner: runner, workers: jobs.workers, stack: s, path: path, format: format, options: options, columns: columns,
                                    errorsPath: errorsPath).write(from: 1)
        s.push(LuaValue.table(LuaTable(fields: [
            "path": .string(summary.path), "rows": .integer(Int64(summary.rows)),
            "bytes": .integer(Int64(summary.bytes)), "format": .string(format.rawValue),
        ])))
        return 1
    }

}

extension TableBinding {
    /// The layout options of `roster.write` (at stack index 3): delimiter, encoding, line_ending, quote, header.
    static func layout(_ options: inout WriteOptions, _ s: LuaStack, format: TableFormat) throws {
        var delimited: [String] = []
        if let d = try optionString(s, "delimiter", in: 3, "write") {
            let bytes = Array((d == "\\t" ? "\t" : d).utf8)
            guard bytes.count == 1, ![0x22, 0x0A, 0x0D].contains(bytes[0]) else {
                throw RosterScriptError("roster.write: delimiter must be one character other than a quote or a line break, got '\(d)'")
            }
            options.delimiter = bytes[0]
            delimited.append("delimiter")
        }
        if let e = try optionString(s, "encoding", in: 3, "write") {
            guard let encoding = WriteOptions.Encoding(rawValue: e.lowercased()) else {
                let names = WriteOptions.Encoding.allCases.map(\.rawValue)
                let hint = nearestName(to: e, in: names).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw RosterScriptError("roster.write: unknown encoding \"\(e)\"\(hint); use \(names.joined(separator: ", "))")
            }
            options.encoding = encoding
            delimited.append("encoding")
        }
        if let l = try optionString(s, "line_ending", in: 3, "write") {
            guard let ending = WriteOptions.LineEnding(rawValue: l.lowercased()) else {
                throw RosterScriptError("roster.write: line_ending must be \"crlf\" (RFC 4180, the default) or \"lf\", got \"\(l)\"")
            }
            options.lineEnding = ending
            delimited.append("line_ending")
        }
        if let q = try optionString(s, "quote", in: 3, "write") {
            guard q == "minimal" || q == "all" else {
                throw RosterScriptError("roster.write: quote must be \"minimal\" (quote where needed, the default) or \"all\", got \"\(q)\"")
            }
            options.quoteAll = q == "all"
            delimited.append("quote")
        }
        switch s.getField("header", in: 3) {
        case .nil: break
        case .boolean: options.header = s.boolean(at: -1)
        default:
            s.pop()
            throw RosterScriptError("roster.write: header must be true or false")
        }
        s.pop()
        if format != .csv, let first = delimited.first {
            throw RosterScriptError("roster.write: \(first) applies to CSV output, not \(format.rawValue.uppercased())")
        }
        if !options.header && (format == .json || format == .xml) {
            throw RosterScriptError("roster.write: header = false applies to CSV and XLSX output (JSON and XML name every field)")
        }
    }
}

/// An error in how a script used the `roster` API; raised in Lua with the caller's position.
struct RosterScriptError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
