import Foundation
import LuaRuntime
import Pipeline
import Tabular
import Transport

/// A client that can be a job's target (`roster.omnigage{}`, `roster.whispir{}`).
protocol TargetHandle: AnyObject {
    /// The import target over this client.
    func importTarget() -> any ImportTarget
}

/// `roster.job{ source, target, transform, mapping, options, hooks }`: a job kept until it runs.
final class JobHandle {
    static let className = "roster.Job"
    enum Source {
        case path(String)
        case source(RowSource)
        case list(LuaRef)
    }
    let source: Source
    let target: any TargetHandle
    let transforms: [RowStage]
    let mapping: [String: String]
    let options: [String: JSONValue]
    let hooks: LuaHooks?
    var ran = false

    init(source: Source, target: any TargetHandle, transforms: [RowStage], mapping: [String: String], options: [String: JSONValue],
         hooks: LuaHooks?) {
        self.source = source
        self.target = target
        self.transforms = transforms
        self.mapping = mapping
        self.options = options
        self.hooks = hooks
    }
}

/// Translates jobs between Lua and Pipeline: `roster.job`, `roster.run`, and the job behind
/// `og:import` / `wh:import`. It holds no job logic: the `JobRunner` does the work.
struct JobBinding {
    let runner: JobRunner
    let codec: JSONCodec
    /// How parallel workers' states are set up (`parallel = N`).
    let workers: WorkerSetup

    static let jobKeys: Set<String> = ["source", "target", "transform", "mapping", "options", "hooks"]

    func define(on s: LuaStack, into module: Int32) {
        s.defineClass(JobHandle.className, methods: [:], metamethods: [
            "__tostring": { s in
                let job = try s.checkObject(1, className: JobHandle.className, method: "__tostring", as: JobHandle.self)
                s.push("roster.Job(\(job.target.importTarget().name), \(job.transforms.count) transform(s))")
                return 1
            },
        ])
        s.push(function: { s in
            let job = try makeJob(s, at: 1)
            s.push(object: job, className: JobHandle.className)
            return 1
        })
        s.setField("job", in: module)
        s.push(function: { s in
            guard let job = s.object(at: 1, className: JobHandle.className, as: JobHandle.self) else {
                throw s.argumentError(1, function: "run", expected: "roster.Job (from roster.job{...})")
            }
            let result = try run(job, on: s)
            try codec.push(result, on: s)
            return 1
        })
        s.setField("run", in: module)
    }

    /// Reads a job table: every key checked, the source, target, transforms, mapping, options and hooks.
    func makeJob(_ s: LuaStack, at index: Int32) throws -> JobHandle {
        let function = "roster.job"
        guard s.type(at: index) == .table else { throw s.argumentError(index, function: "job", expected: "table") }
        let t = s.absolute(index)
        try OptionReader.check(TableBinding.keys(of: t, on: s), known: Self.jobKeys, function: function, what: "field")
        try s.reserve(8)

        s.getField("target", in: t)
        guard let target = Self.targetHandle(s, at: -1) else {
            let kind = s.type(at: -1).name
            s.pop()
            throw RosterScriptError("\(function): 'target' must be a client from roster.omnigage{...} or roster.whispir{...}, got \(kind)")
        }
        s.pop()

        let source = try jobSource(s, field: "source", in: t, function: function)
        s.getField("transform", in: t)
        let transforms = try stages(s, at: -1, function: function, sourcePath: Self.path(of: source))
        s.pop()
        s.getField("mapping", in: t)
        let mapping = try Self.mapping(s, at: -1, function: function)
        s.pop()
        s.getField("options", in: t)
        let options = try self.options(s, at: -1, function: function)
        s.pop()
        var hooks: LuaHooks?
        if s.getField("hooks", in: t) != .nil { hooks = try LuaHooks(stack: s, at: -1, codec: codec, function: function) }
        s.pop()
        return JobHandle(source: source, target: target, transforms: transforms, mapping: mapping, options: options, hooks: hooks)
    }

    /// `og:import(rows_or_path, opts)` / `wh:import(...)`: a job built from the client's call.
    func importJob(_ s: LuaStack, target: any TargetHandle, mappingKeys: [String]) throws -> JobHandle {
        let function = "import"
        let source = try jobSource(s, at: 2, function: function)
        var options: [String: JSONValue] = [:]
        var mapping: [String: String] = [:]
        var hooks: LuaHooks?
        if s.type(at: 3) == .table {
            try s.reserve(6)
            s.setTop(3)
            for key in mappingKeys {
                if s.getField(key, in: 3) != .nil { mapping = try Self.mapping(s, at: -1, function: function) }
                s.pop()
            }
            if s.getField("hooks", in: 3) != .nil { hooks = try LuaHooks(stack: s, at: -1, codec: codec, function: function) }
            s.pop()
            s.pushNil()
            while s.next(3) {
                guard s.type(at: -2) == .string, let key = s.string(at: -2) else {
                    throw RosterScriptError("\(function): options must be a table with named keys")
                }
                if !mappingKeys.contains(key) && key != "hooks" {
                    options[key] = try codec.value(at: -1, on: s, what: "\(function) option '\(key)'")
                }
                s.pop()
            }
        } else if s.type(at: 3) != .nil && s.type(at: 3) != .none {
            throw s.argumentError(3, function: function, expected: "table")
        }
        return JobHandle(source: source, target: target, transforms: [], mapping: mapping, options: options, hooks: hooks)
    }

    /// Runs a job through the `JobRunner`; returns what the script gets back.
    func run(_ job: JobHandle, on s: LuaStack) throws -> JSONValue {
        if job.ran { throw RosterScriptError("roster.run: this job has already run; make a new one with roster.job{...}") }
        job.ran = true
        if let errors = job.options["errors_file"]?.stringValue { try s.state.checkFile(errors, function: "roster.job") }
        let columns = job.options["columns"]?.arrayValue?.compactMap(\.stringValue)
        let spec: JobSpec
        let target = job.target.importTarget()
        switch job.source {
        case .path(let path) where job.transforms.isEmpty:
            spec = JobSpec(source: .path(path, ReadOptions()), mapping: job.mapping, options: job.options, hooks: job.hooks, target: target)
        case .path(let path):
            let table: OpenedTable
            do {
                table = try OpenedTable(reader: try Tables.open(path: path), path: path, stack: s)
                table.readOptions = ReadOptions()
            } catch let error as LuaError {
                throw error
            } catch {
                throw JobError(.usage, stage: "read", "cannot read \(path): \(error)", underlying: error)
            }
            spec = transformed(RowSource(table: table, stages: job.transforms), path: path, job: job, target: target, columns: columns, on: s)
        case .source(let src):
            let source = RowSource(table: src.table, stages: src.stages + job.transforms)
            if source.stages.isEmpty {
                spec = JobSpec(source: .reader(src.table.reader, path: src.table.path, accounting: src.table.accounting), mapping: job.mapping,
                               options: job.options, hooks: job.hooks, target: target)
            } else {
                spec = transformed(source, path: src.table.path, job: job, target: target, columns: columns, on: s)
            }
        case .list(let ref):
            ref.push(on: s)
            let reader = try LuaListReader(stack: s, at: -1, columns: columns)
            s.pop()
            let table = try OpenedTable(reader: reader, path: "(rows from the script)", stack: s)
            spec = transformed(RowSource(table: table, stages: job.transforms), path: nil, job: job, target: target, columns: columns, on: s)
        }
        let result = try runner.run(spec)
        return Self.value(of: result)
    }

    private func transformed(_ source: RowSource, path: String?, job: JobHandle, target: any ImportTarget, columns: [String]?,
                             on s: LuaStack) -> JobSpec {
        let parallel = max(runner.settings.parallel, Int(job.options["parallel"]?.intValue ?? 1))
        return JobSpec(source: .reader(source.table.reader, path: path, accounting: source.table.accounting),
                transform: RowTransforms.make(stack: s, source: source, columns: columns, parallel: parallel, setup: workers),
                mapping: job.mapping, options: job.options, hooks: job.hooks, target: target)
    }

    /// What a job returns to Lua: the counts, the errors file, whether it had already run, the imports.
    static func value(of result: JobResult) -> JSONValue {
        .object([
            "read": .integer(Int64(result.read)), "sent": .integer(Int64(result.sent)), "skipped": .integer(Int64(result.skipped)),
            "rejected": .integer(Int64(result.rejected)), "errors_file": result.errorsFile.map(JSONValue.string) ?? .null,
            "already_imported": .bool(result.alreadyImported), "imports": .array(result.imports.map(\.scriptValue)),
        ])
    }

    // MARK: Reading the job table

    private func jobSource(_ s: LuaStack, field: String, in t: Int32, function: String) throws -> JobHandle.Source {
        s.getField(field, in: t)
        defer { s.pop() }
        if s.type(at: -1) == .nil { throw RosterScriptError("\(function): 'source' is required: a path or a source from roster.read") }
        return try jobSource(s, at: -1, function: function)
    }

    /// A path, a `roster.read` source, or a list of row tables.
    private func jobSource(_ s: LuaStack, at index: Int32, function: String) throws -> JobHandle.Source {
        switch s.type(at: index) {
        case .string:
            let path = s.string(at: index) ?? ""
            try s.state.checkFile(path, function: function)
            return .path(path)
        case .userdata:
            guard let src = s.object(at: index, className: RowSource.className, as: RowSource.self) else {
                throw s.argumentError(index, function: function, expected: "a path, a roster.read source or a list of rows")
            }
            return .source(src)
        case .table:
            s.pushCopy(of: index)
            return .list(s.ref())
        default:
            throw RosterScriptError("\(function): the source must be a path, a roster.read source or a list of rows, got \(s.type(at: index).name)")
        }
    }

    /// `transform`: a function or a list of functions, as map stages.
    private func stages(_ s: LuaStack, at index: Int32, function: String, sourcePath: String) throws -> [RowStage] {
        let i = s.absolute(index)
        var functions: [LuaRef] = []
        switch s.type(at: i) {
        case .nil, .none: return []
        case .function:
            s.pushCopy(of: i)
            functions.append(s.ref())
        case .table:
            for n in 1 ... max(1, s.rawLength(at: i)) where s.rawLength(at: i) > 0 {
                guard s.rawGetType(index: n, in: i) == .function else {
                    let kind = s.type(at: -1).name
                    s.pop()
                    throw RosterScriptError("\(function): transform item \(n) is a \(kind), not a function")
                }
                functions.append(s.ref())
            }
        case let other:
            throw RosterScriptError("\(function): 'transform' must be a function or a list of functions, got \(other.name)")
        }
        return functions.enumerated().map { n, ref in
            RowStage.make(kind: .map, function: ref, name: functions.count == 1 ? "transform" : "transform \(n + 1)",
                          sourcePath: sourcePath, on: s)
        }
    }

    /// `{ [target_field] = source_column }`, the one mapping form.
    static func mapping(_ s: LuaStack, at index: Int32, function: String) throws -> [String: String] {
        switch s.type(at: index) {
        case .nil, .none: return [:]
        case .table: break
        case let other: throw RosterScriptError("\(function): 'mapping' must be a table { [target_field] = source_column }, got \(other.name)")
        }
        guard case .table(let t) = try s.value(at: index) else { return [:] }
        if !t.array.isEmpty {
            throw RosterScriptError("\(function): 'mapping' must be { [target_field] = source_column } (e.g. { [\"first-name\"] = \"First Name\" }), not a list")
        }
        var out: [String: String] = [:]
        for (k, v) in t.fields {
            guard case .string(let field) = k, let column = v.stringValue else {
                throw RosterScriptError("\(function): 'mapping' must map target field names to source column names (strings); \(k) does not")
            }
            out[field] = column
        }
        return out
    }

    private func options(_ s: LuaStack, at index: Int32, function: String) throws -> [String: JSONValue] {
        switch s.type(at: index) {
        case .nil, .none: return [:]
        case .table:
            guard case .object(let o) = try codec.value(at: index, on: s, what: "\(function) options") else {
                if s.rawLength(at: index) == 0 { return [:] }
                throw RosterScriptError("\(function): 'options' must be a table with named keys")
            }
            return o
        case let other: throw RosterScriptError("\(function): 'options' must be a table, got \(other.name)")
        }
    }

    static func targetHandle(_ s: LuaStack, at index: Int32) -> (any TargetHandle)? {
        if let og = s.object(at: index, className: OmnigageHandle.className, as: OmnigageHandle.self) { return og }
        if let wh = s.object(at: index, className: WhispirHandle.className, as: WhispirHandle.self) { return wh }
        return s.object(at: index, className: GenericTargetHandle.className, as: GenericTargetHandle.self)
    }

    static func path(of source: JobHandle.Source) -> String {
        switch source {
        case .path(let p): return p
        case .source(let src): return src.table.path
        case .list: return "(rows from the script)"
        }
    }
}

extension RowStage {
    /// A stage over `function` with its own `ctx` table (`source`, `stage`; `row` and `line` per call).
    static func make(kind: Kind, function: LuaRef, name: String, sourcePath: String, on s: LuaStack) -> RowStage {
        s.newTable(fieldCapacity: 4)
        s.push(sourcePath)
        s.setField("source", in: -2)
        s.push(name)
        s.setField("stage", in: -2)
        return RowStage(kind: kind, function: function, name: name, context: s.ref())
    }
}
