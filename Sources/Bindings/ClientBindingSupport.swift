import Foundation
import LuaRuntime
import Tabular
import Transport

/// What the client bindings share: reading option tables, pushing vendor records, calling hooks,
/// and turning `rows_or_path` into a file on disk.
enum ClientBindingSupport {
    /// The options table at `index` copied into Swift (an empty table when absent).
    static func options(_ s: LuaStack, at index: Int32, function: String) throws -> LuaTable {
        switch s.type(at: index) {
        case .none, .nil: return LuaTable()
        case .table:
            guard case .table(let t) = try s.value(at: index) else { return LuaTable() }
            return t
        default: throw s.argumentError(index, function: function, expected: "table")
        }
    }

    /// Option `key` as a string (numbers are accepted as their text); nil when absent.
    static func string(_ t: LuaTable, _ key: String, _ function: String) throws -> String? {
        switch t[key] {
        case .nil: return nil
        case .string(let v): return v
        case .integer(let v): return String(v)
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a string, got \(typeName(other))")
        }
    }

    /// Option `key` as a boolean; nil when absent.
    static func bool(_ t: LuaTable, _ key: String, _ function: String) throws -> Bool? {
        switch t[key] {
        case .nil: return nil
        case .boolean(let v): return v
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a boolean, got \(typeName(other))")
        }
    }

    /// Option `key` as a number; nil when absent.
    static func number(_ t: LuaTable, _ key: String, _ function: String) throws -> Double? {
        switch t[key] {
        case .nil: return nil
        case .integer(let v): return Double(v)
        case .number(let v): return v
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a number, got \(typeName(other))")
        }
    }

    /// Option `key` as a `{ [string] = string }` map; nil when absent.
    static func stringMap(_ t: LuaTable, _ key: String, _ function: String) throws -> [String: String]? {
        switch t[key] {
        case .nil: return nil
        case .table(let m):
            var out: [String: String] = [:]
            for (k, v) in m.fields {
                guard let name = k.stringValue, let value = v.stringValue else {
                    throw RosterScriptError("\(function): option '\(key)' must map names to column names (strings)")
                }
                out[name] = value
            }
            return out
        case let other: throw RosterScriptError("\(function): option '\(key)' must be a table, got \(typeName(other))")
        }
    }

    static func typeName(_ v: LuaValue) -> String {
        switch v {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string, .bytes: return "string"
        case .table: return "table"
        case .opaque(let name): return name
        }
    }

    /// Pushes a JSON value: objects and arrays become tables, `null` inside arrays becomes
    /// `roster.json.null` and `null` members of objects are left out.
    static func push(_ value: JSONValue, on s: LuaStack, null: LuaRef) throws {
        try s.reserve(4)
        switch value {
        case .null: null.push(on: s)
        case .bool(let b): s.push(b)
        case .integer(let i): s.push(i)
        case .double(let d): s.push(d)
        case .string(let t): s.push(t)
        case .array(let items):
            s.newTable(arrayCapacity: items.count)
            for (i, item) in items.enumerated() {
                try push(item, on: s, null: null)
                s.setIndex(i + 1, in: -2)
            }
        case .object(let members):
            s.newTable(fieldCapacity: members.count)
            for (key, member) in members.sorted(by: { $0.key < $1.key }) where member != .null {
                try push(member, on: s, null: null)
                s.setField(key, in: -2)
            }
        }
    }

    /// A Lua value copied out as JSON (tables with only a sequence part become arrays).
    static func json(_ value: LuaValue) -> JSONValue {
        switch value {
        case .nil, .opaque: return .null
        case .boolean(let b): return .bool(b)
        case .integer(let i): return .integer(i)
        case .number(let d): return .double(d)
        case .string(let t): return .string(t)
        case .bytes(let b): return .string(String(decoding: b, as: UTF8.self))
        case .table(let t):
            if t.fields.isEmpty, !t.array.isEmpty { return .array(t.array.map(json)) }
            var members: [String: JSONValue] = [:]
            for (i, v) in t.array.enumerated() { members[String(i + 1)] = json(v) }
            for (k, v) in t.fields { if let key = k.stringValue { members[key] = json(v) } }
            return .object(members)
        }
    }

    /// Calls `hooks[name](stage)` when that hook exists; returns what a `before_*` hook returned
    /// (a changed copy of `stage`) or nil. An error in the hook stops the caller, named after the hook.
    static func callHook(_ s: LuaStack, hooks: Int32, name: String, stage: LuaValue, function: String) throws -> LuaTable? {
        guard hooks != 0 else { return nil }
        try s.reserve(4)
        let top = s.top
        defer { s.setTop(top) }
        switch s.getField(name, in: hooks) {
        case .nil: return nil
        case .function: break
        case let other: throw RosterScriptError("\(function): hooks.\(name) must be a function, got \(other.name)")
        }
        s.push(stage)
        do {
            try s.call(arguments: 1, results: 1)
        } catch let error as LuaError {
            throw LuaError(kind: error.kind, message: "\(error.message) (\(function), \(name) hook: the import stopped here)",
                           traceback: error.traceback)
        }
        guard case .table(let changed) = try s.value(at: -1) else { return nil }
        return changed
    }

    /// The absolute index of `opts.hooks` (a table), or 0 when there are none.
    static func hooksIndex(_ s: LuaStack, options index: Int32, function: String) throws -> Int32 {
        guard s.type(at: index) == .table else { return 0 }
        switch s.getField("hooks", in: index) {
        case .table: return s.top
        case .nil: s.pop(); return 0
        case let other: s.pop(); throw RosterScriptError("\(function): option 'hooks' must be a table, got \(other.name)")
        }
    }

    /// A file ready to send: `rows_or_path` at `index` is a path (used as is when `keep` accepts its
    /// format, converted to CSV otherwise) or a source / list of rows (written to CSV with RowWriter).
    static func prepareFile(_ s: LuaStack, at index: Int32, in directory: String, name: String?, columns: [String]?,
                            errors: String?, keep: Set<TableFormat>, function: String) throws -> PreparedFile {
        if s.type(at: index) == .string, let path = s.string(at: index) {
            let format = try Tables.detectFormat(path: path)
            let reader = try Tables.open(path: path)
            if keep.contains(format) {
                return PreparedFile(path: path, name: name ?? URL(fileURLWithPath: path).lastPathComponent, header: reader.header,
                                    rows: nil, format: format)
            }
            let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + ".csv"
            let target = (directory as NSString).appendingPathComponent(base)
            let summary = try TableCopy.copy(from: reader, to: try Tables.writer(path: target, format: .csv))
            return PreparedFile(path: target, name: name ?? base, header: reader.header, rows: summary.rows, format: .csv)
        }
        guard s.type(at: index) == .table || s.type(at: index) == .userdata else {
            throw s.argumentError(index, function: function, expected: "roster.Source, list of rows or path")
        }
        let fileName = name ?? "roster-import.csv"
        let target = (directory as NSString).appendingPathComponent(URL(fileURLWithPath: fileName).lastPathComponent)
        let summary = try RowWriter(stack: s, path: target, format: .csv, columns: columns, errorsPath: errors).write(from: index)
        let header = try Tables.open(path: target, options: ReadOptions(format: .csv)).header
        return PreparedFile(path: target, name: fileName, header: header, rows: summary.rows, format: .csv)
    }

    /// A fresh private folder for a run's temporary files.
    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roster-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url.path
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    static func mimeType(_ format: TableFormat) -> String {
        switch format {
        case .csv: return "text/csv"
        case .xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .xls: return "application/vnd.ms-excel"
        case .json: return "application/json"
        case .xml: return "application/xml"
        }
    }
}

/// A file about to be sent, with the header that drives the mapping.
struct PreparedFile {
    var path: String
    var name: String
    var header: [String]
    /// Data rows written, when Roster wrote the file.
    var rows: Int?
    var format: TableFormat
}
