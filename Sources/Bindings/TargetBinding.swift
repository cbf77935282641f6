import LuaRuntime
import Pipeline
import Transport

/// A target with no low-level calls of its own: `roster.NAME{...}` for every kind in the catalog
/// that has no dedicated binding gives an object with `:import(rows_or_path, opts)` and can be a
/// job's `target`. So a new vendor needs no change here.
final class GenericTargetHandle: TargetHandle {
    static let className = "roster.Target"
    let target: any ImportTarget
    init(target: any ImportTarget) { self.target = target }
    func importTarget() -> any ImportTarget { target }
}

/// Making targets from `roster.NAME{...}` options, with the run's environment and sandbox.
enum TargetBinding {
    /// The target of `kind` from the options table at index 1.
    static func make(_ kind: TargetKind, _ s: LuaStack, context: RosterContext, codec: JSONCodec) throws -> any ImportTarget {
        var options: [String: JSONValue] = [:]
        switch s.type(at: 1) {
        case .none, .nil: break
        case .table:
            guard case .object(let o) = try codec.value(at: 1, on: s, what: "roster.\(kind.name) options") else {
                throw RosterScriptError("roster.\(kind.name): options must be a table with named keys")
            }
            options = o
        default: throw s.argumentError(1, function: kind.name, expected: "table")
        }
        var environment = context.environment
        let sandbox = try context.session.sandboxTarget()
        if let sandbox { environment.merge(sandbox.environment) { _, fromSandbox in fromSandbox } }
        return try kind.make(options: options, environment: environment, transport: context.session.httpTransport(), sandboxed: sandbox != nil)
    }

    /// `roster.NAME{...}` for each catalog kind not in `dedicated`.
    static func define(on s: LuaStack, into module: Int32, context: RosterContext, codec: JSONCodec, jobs: JobBinding,
                       dedicated: Set<String>) {
        s.defineClass(GenericTargetHandle.className, methods: [
            "import": { s in
                let handle = try s.checkObject(1, className: GenericTargetHandle.className, method: "import", as: GenericTargetHandle.self)
                try codec.push(try jobs.run(try jobs.importJob(s, target: handle, mappingKeys: ["mapping"]), on: s), on: s)
                return 1
            },
        ], metamethods: [
            "__tostring": { s in
                let handle = try s.checkObject(1, className: GenericTargetHandle.className, method: "__tostring", as: GenericTargetHandle.self)
                s.push("roster.Target(\(handle.target.name), \(handle.target.account))")
                return 1
            },
        ])
        for kind in TargetCatalog.kinds where !dedicated.contains(kind.name) {
            s.push(function: { s in
                s.push(object: GenericTargetHandle(target: try make(kind, s, context: context, codec: codec)), className: GenericTargetHandle.className)
                return 1
            })
            s.setField(kind.name, in: module)
        }
    }
}
