import Tabular
import Transport

/// One import job as the core runs it: where rows come from, how they are transformed and mapped,
/// the options and hooks, and the vendor they go to.
public struct JobSpec {
    public var source: JobSource
    public var transform: (any RecordTransform)?
    /// `{ [target_field] = source_column }`, the one mapping form for every vendor.
    public var mapping: [String: String]
    /// The job's options as the script gave them (snake_case keys); checked against the target's.
    public var options: [String: JSONValue]
    public var hooks: (any JobHooks)?
    public var target: any ImportTarget

    public init(source: JobSource, transform: (any RecordTransform)? = nil, mapping: [String: String] = [:],
                options: [String: JSONValue] = [:], hooks: (any JobHooks)? = nil, target: any ImportTarget) {
        self.source = source
        self.transform = transform
        self.mapping = mapping
        self.options = options
        self.hooks = hooks
        self.target = target
    }
}

/// Where a job's records come from.
public enum JobSource {
    /// A file, opened by the runner with these reading options.
    case path(String, ReadOptions)
    /// A table already opened (e.g. by a script's `roster.read`), counted into `accounting`;
    /// `path` is the file it reads, when there is one (it identifies the job's input).
    case reader(any TableReader, path: String?, accounting: RowAccounting)
}

/// What a transform made of one record.
public enum TransformVerdict {
    /// Kept: its rows (one, or several for a fan-out) went to `emit`.
    case kept
    /// Deliberately left out, with the reason.
    case skipped(String)
    /// Refused (an error in the transform, a bad value), with the reason.
    case rejected(String)
}

/// The rows a transform made of one record, values in its `columns` order, borrowed for the `emit` call.
public struct BorrowedRows {
    public let count: Int
    public let width: Int
    private let slots: FieldSlots

    /// Rows laid out in `slots` one after another, `width` fields each.
    public init(count: Int, width: Int, slots: FieldSlots) {
        self.count = count
        self.width = width
        self.slots = slots
    }

    public subscript(row: Int) -> BorrowedFields { slots.fields(width, from: row * width) }
}

/// A record-by-record transform (the script's functions, in Bindings).
public protocol RecordTransform: AnyObject {
    /// The output columns, fixed by the first row kept (nil until then).
    var columns: [String]? { get }
    /// Transforms one record of a table whose header is `header`: kept rows go to `emit` (all of the
    /// record's rows in one call, valid only during it). Throws only when the job cannot go on.
    func apply(_ record: BorrowedRecord, header: [String], emit: (BorrowedRows) throws -> Void) throws -> TransformVerdict
}

/// A transform that runs records on other threads (`parallel = N`): records go in, and their
/// verdicts come back in input order, each with the record as it was handed over.
public protocol PipelinedTransform: RecordTransform {
    /// Hands over a record (its bytes are copied); calls `done` for each record finished by now, in input order.
    func submit(_ record: BorrowedRecord, done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws
    /// Waits for every record handed over, calls `done` for each, and stops the workers.
    func finish(done: (BorrowedRecord, TransformVerdict, BorrowedRows?) throws -> Void) throws
}

/// The hooks a job may have; each optional.
public enum HookName: String, CaseIterable, Sendable {
    case beforeUpload = "before_upload"
    case afterUpload = "after_upload"
    case beforeImport = "before_import"
    case afterImport = "after_import"
    case onReject = "on_reject"
}

/// Calls a job's hooks (implemented by Bindings over Lua functions).
public protocol JobHooks: AnyObject {
    func has(_ hook: HookName) -> Bool
    /// Calls `hook` with `arguments`. For a `before_*` hook, returns its first argument as the hook
    /// left it (changed in place) or the table it returned. An error stops the job: throw a
    /// `JobError` whose stage is the hook's name and whose message names the hook and the plugin.
    func call(_ hook: HookName, _ arguments: [JSONValue]) throws -> JSONValue?
}

/// A limit on rejected records: a count, or a percentage of the records read.
public enum RejectLimit: Sendable, Equatable, CustomStringConvertible {
    case count(Int)
    case percent(Double)

    /// `10`, `"10"` or `"2%"`; nil when the text is neither.
    public init?(_ value: JSONValue) {
        switch value {
        case .integer(let n) where n >= 0: self = .count(Int(n))
        case .double(let d) where d >= 0 && d == d.rounded(): self = .count(Int(d))
        case .string(let text):
            let t = text.trimmingCharacters(in: .whitespaces)
            if t.hasSuffix("%"), let p = Double(t.dropLast()), p >= 0, p <= 100 {
                self = .percent(p)
            } else if let n = Int(t), n >= 0 {
                self = .count(n)
            } else {
                return nil
            }
        default: return nil
        }
    }

    /// Whether `rejected` of `read` records goes past the limit.
    public func exceeded(rejected: Int, read: Int) -> Bool {
        switch self {
        case .count(let n): return rejected > n
        case .percent(let p): return read > 0 && Double(rejected) * 100 > p * Double(read)
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return String(n)
        case .percent(let p): return (p == p.rounded() ? String(Int(p)) : String(p)) + "%"
        }
    }
}

/// The options every job understands, whatever its target.
public enum JobOptionKeys {
    public static let common: Set<String> = ["name", "columns", "errors_file", "results_file", "max_rejects", "parallel"]
}
