import Foundation
import LuaRuntime
import Pipeline
import Transport
import Whispir

/// One `roster.whispir{...}` client: its configuration over the run's session.
final class WhispirHandle: TargetHandle {
    static let className = "roster.Whispir"
    let target: WhispirTarget
    let session: ClientSession

    init(target: WhispirTarget, session: ClientSession) {
        self.target = target
        self.session = session
    }

    var client: WhispirClient { target.client }
    var configuration: WhispirConfiguration { target.client.configuration }

    func importTarget() -> any ImportTarget { target }
}

/// `roster.whispir{ api_key=, username=, password=, region=, base_url=, workspace= }` and its methods:
/// `create_resource` and `create_import` map one to one onto `WhispirClient`; `wh:import` runs a job.
enum WhispirBinding {
    static let function = "roster.whispir"

    static func define(on s: LuaStack, into module: Int32, context: RosterContext, codec: JSONCodec, jobs: JobBinding) {
        func handle(_ s: LuaStack, _ method: String) throws -> WhispirHandle {
            try s.checkObject(1, className: WhispirHandle.className, method: method, as: WhispirHandle.self)
        }
        s.defineClass(WhispirHandle.className, methods: [
            "create_resource": { s in
                let wh = try handle(s, "create_resource")
                let t = try codec.options(s, at: 2, function: "create_resource", known: ["name", "mime_type", "path", "content", "scope", "workspace"])
                // The content's bytes as they are (a string need not be UTF-8).
                var content: [UInt8]?
                if s.type(at: 2) == .table {
                    s.getField("content", in: 2)
                    content = s.type(at: -1) == .string ? s.withBytes(at: -1) { Array($0) } : nil
                    s.pop()
                }
                let resource = try createResource(wh, t, content: content, refusal: s.state.fileRefusal)
                s.push(resource.id)
                if let location = resource.location { s.push(location) } else { s.pushNil() }
                return 2
            },
            "create_import": { s in
                let wh = try handle(s, "create_import")
                let t = try codec.options(s, at: 2, function: "create_import", known: ["resource", "import_mode", "field_mapping", "workspace"])
                let resource = t["resource"]?["id"]?.stringValue ?? t["resource"]?.stringValue ?? ""
                guard !resource.isEmpty else { throw RosterScriptError("create_import: option 'resource' (a resource id) is required") }
                let text = try t.string("import_mode") ?? "replace"
                guard let mode = WhispirImportMode(rawValue: text) else {
                    throw RosterScriptError("create_import: import_mode must be replace, duplicate or ignore, not '\(text)'")
                }
                let mapping = try t.stringMap("field_mapping") ?? [:]
                let workspace = try t.string("workspace")
                let client = wh.client
                let receipt = try wh.session.perform("wh:create_import") {
                    try await client.createImport(resource: resource, importMode: mode, fieldMapping: mapping, workspace: workspace)
                }
                try codec.push(.object([
                    "status": .integer(Int64(receipt.status)), "location": receipt.location.map(JSONValue.string) ?? .null,
                    "import_id": receipt.importID.map(JSONValue.string) ?? .null, "resource": .string(receipt.resourceID),
                ]), on: s)
                return 1
            },
            "import": { s in
                let wh = try handle(s, "import")
                let job = try jobs.importJob(s, target: wh, mappingKeys: ["field_mapping", "mapping"])
                try codec.push(try jobs.run(job, on: s), on: s)
                return 1
            },
        ], metamethods: [
            "__tostring": { s in
                let wh = try handle(s, "__tostring")
                s.push("roster.Whispir(\(wh.configuration.baseURL), workspace \(wh.configuration.workspace ?? "default"))")
                return 1
            },
        ])

        s.push(function: { s in
            guard let target = try TargetBinding.make(WhispirTarget.kind, s, context: context, codec: codec) as? WhispirTarget else { return 0 }
            s.push(object: WhispirHandle(target: target, session: context.session), className: WhispirHandle.className)
            return 1
        })
        s.setField("whispir", in: module)
    }

    /// `wh:create_resource{ name, mime_type, path | content, scope, workspace }`.
    static func createResource(_ wh: WhispirHandle, _ t: OptionReader, content: [UInt8]?,
                               refusal: (String) -> String?) throws -> WhispirResource {
        let mimeType = try t.string("mime_type") ?? "text/csv"
        let scope = try t.string("scope") ?? "private"
        let workspace = try t.string("workspace")
        let name = try t.string("name")
        let client = wh.client
        if let path = try t.string("path") {
            if let why = refusal(path) { throw RosterScriptError("create_resource: \(why)") }
            return try wh.session.perform("wh:create_resource") {
                try await client.createResource(name: name, mimeType: mimeType, path: path, scope: scope, workspace: workspace)
            }
        }
        guard let content else { throw RosterScriptError("create_resource: give path = FILE or content = STRING") }
        return try wh.session.perform("wh:create_resource") {
            try await client.createResource(name: name ?? "contacts.csv", mimeType: mimeType, content: content, scope: scope, workspace: workspace)
        }
    }
}
