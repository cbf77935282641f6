import Foundation
import LuaRuntime
import Tabular
import Transport
import Whispir

/// One `roster.whispir{...}` client: its configuration over the run's session.
final class WhispirHandle {
    static let className = "roster.Whispir"
    let configuration: WhispirConfiguration
    let session: ClientSession

    init(configuration: WhispirConfiguration, session: ClientSession) {
        self.configuration = configuration
        self.session = session
    }

    /// A client over the run's transport (made per call: the transport ends with the run).
    var client: WhispirClient { WhispirClient(configuration: configuration, transport: session.httpTransport()) }
}

/// `roster.whispir{ api_key=, username=, password=, region=, base_url=, workspace= }` and its methods.
enum WhispirBinding {
    static let function = "roster.whispir"

    static func define(on s: LuaStack, into module: Int32, context: RosterContext, json: JSONCodec) {
        let null = json.null
        func handle(_ s: LuaStack, _ method: String) throws -> WhispirHandle {
            try s.checkObject(1, className: WhispirHandle.className, method: method, as: WhispirHandle.self)
        }
        s.defineClass(WhispirHandle.className, methods: [
            "create_resource": { s in
                let wh = try handle(s, "create_resource")
                let t = try ClientBindingSupport.options(s, at: 2, function: "create_resource")
                let resource = try createResource(wh, t)
                s.push(resource.id)
                if let location = resource.location { s.push(location) } else { s.pushNil() }
                return 2
            },
            "create_import": { s in
                let wh = try handle(s, "create_import")
                let t = try ClientBindingSupport.options(s, at: 2, function: "create_import")
                let resource: String
                switch t["resource"] {
                case .table(let r): resource = r["id"].stringValue ?? ""
                case let other: resource = other.stringValue ?? ""
                }
                guard !resource.isEmpty else { throw RosterScriptError("create_import: option 'resource' (a resource id) is required") }
                let mode = try importMode(t, "create_import")
                let mapping = try ClientBindingSupport.stringMap(t, "field_mapping", "create_import") ?? [:]
                let workspace = try ClientBindingSupport.string(t, "workspace", "create_import")
                let client = wh.client
                let receipt = try wh.session.perform {
                    try await client.createImport(resource: resource, importMode: mode, fieldMapping: mapping, workspace: workspace)
                }
                wh.session.recordImport(target: "whispir", id: receipt.importID ?? receipt.location ?? receipt.resourceID, status: "accepted (\(receipt.status))")
                try ClientBindingSupport.push(.object([
                    "status": .integer(Int64(receipt.status)), "location": receipt.location.map(JSONValue.string) ?? .null,
                    "import_id": receipt.importID.map(JSONValue.string) ?? .null, "resource": .string(receipt.resourceID),
                ]), on: s, null: null)
                return 1
            },
            "import": { s in
                let wh = try handle(s, "import")
                try ClientBindingSupport.push(try runImport(s, wh), on: s, null: null)
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
            let t = try ClientBindingSupport.options(s, at: 1, function: function)
            let workspace = try ClientBindingSupport.string(t, "workspace", function)
            let configuration: WhispirConfiguration
            if let target = try context.session.sandboxTarget() {
                configuration = WhispirConfiguration(apiKey: target.whispirAPIKey, username: target.whispirUsername,
                                                     password: target.whispirPassword, baseURL: target.whispirBaseURL,
                                                     workspace: workspace ?? context.environment["WHISPIR_WORKSPACE"])
            } else {
                do {
                    configuration = try WhispirConfiguration.fromEnvironment(
                        context.environment, apiKey: try ClientBindingSupport.string(t, "api_key", function),
                        username: try ClientBindingSupport.string(t, "username", function),
                        password: try ClientBindingSupport.string(t, "password", function),
                        region: try ClientBindingSupport.string(t, "region", function),
                        baseURL: try ClientBindingSupport.string(t, "base_url", function), workspace: workspace)
                } catch {
                    throw context.session.note(error)
                }
            }
            s.push(object: WhispirHandle(configuration: configuration, session: context.session), className: WhispirHandle.className)
            return 1
        })
        s.setField("whispir", in: module)
    }

    static func importMode(_ t: LuaTable, _ function: String) throws -> WhispirImportMode {
        let text = try ClientBindingSupport.string(t, "import_mode", function) ?? "replace"
        guard let mode = WhispirImportMode(rawValue: text) else {
            throw RosterScriptError("\(function): import_mode must be replace, duplicate or ignore, not '\(text)'")
        }
        return mode
    }

    /// `wh:create_resource{ name, mime_type, path | content, scope, workspace }`.
    static func createResource(_ wh: WhispirHandle, _ t: LuaTable) throws -> WhispirResource {
        let function = "create_resource"
        let mimeType = try ClientBindingSupport.string(t, "mime_type", function) ?? "text/csv"
        let scope = try ClientBindingSupport.string(t, "scope", function) ?? "private"
        let workspace = try ClientBindingSupport.string(t, "workspace", function)
        let name = try ClientBindingSupport.string(t, "name", function)
        let client = wh.client
        if let path = try ClientBindingSupport.string(t, "path", function) {
            return try wh.session.perform {
                try await client.createResource(name: name, mimeType: mimeType, path: path, scope: scope, workspace: workspace)
            }
        }
        let content: [UInt8]
        switch t["content"] {
        case .string(let text): content = Array(text.utf8)
        case .bytes(let bytes): content = bytes
        default: throw RosterScriptError("create_resource: give path = FILE or content = STRING")
        }
        return try wh.session.perform {
            try await client.createResource(name: name ?? "contacts.csv", mimeType: mimeType, content: content, scope: scope, workspace: workspace)
        }
    }

    /// `wh:import(rows_or_path, opts)`: write CSV -> validate the mapping (nothing sent if it fails)
    /// -> split under 10 MB -> one resource and one import per part.
    static func runImport(_ s: LuaStack, _ wh: WhispirHandle) throws -> JSONValue {
        let function = "import"
        let opts = try ClientBindingSupport.options(s, at: 3, function: function)
        let hooks = try ClientBindingSupport.hooksIndex(s, options: 3, function: function)
        let directory = try ClientBindingSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var columns: [String]?
        if case .table(let c) = opts["columns"] { columns = c.array.compactMap(\.stringValue) }
        let file = try ClientBindingSupport.prepareFile(
            s, at: 2, in: directory, name: try ClientBindingSupport.string(opts, "name", function), columns: columns,
            errors: try ClientBindingSupport.string(opts, "errors", function), keep: [.csv], function: function)
        let csv: [UInt8]
        do { csv = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path))) } catch {
            throw RosterScriptError("import: cannot read \(file.path)")
        }
        var mode = try importMode(opts, function)
        var mapping = try ClientBindingSupport.stringMap(opts, "field_mapping", function) ?? [:]
        var workspace = try ClientBindingSupport.string(opts, "workspace", function)
        let customFields = Set((try ClientBindingSupport.stringMap(opts, "custom_fields", function) ?? [:]).keys)
        do { _ = try WhispirClient.validate(csv: csv, fieldMapping: mapping, customFields: customFields) } catch {
            throw wh.session.note(error)
        }

        let stage = LuaTable(fields: [
            "stage": "import", "path": .string(file.path), "name": .string(file.name), "bytes": .integer(Int64(csv.count)),
            "rows": file.rows.map { .integer(Int64($0)) } ?? .nil, "import_mode": .string(mode.rawValue),
            "field_mapping": .table(LuaTable(fields: Dictionary(uniqueKeysWithValues: mapping.map { (LuaValue.string($0.key), LuaValue.string($0.value)) }))),
            "workspace": workspace.map(LuaValue.string) ?? .nil,
        ])
        if let changed = try ClientBindingSupport.callHook(s, hooks: hooks, name: "before_import", stage: .table(stage), function: function) {
            mode = try importMode(changed, function)
            mapping = try ClientBindingSupport.stringMap(changed, "field_mapping", function) ?? mapping
            workspace = try ClientBindingSupport.string(changed, "workspace", function)
        }
        let client = wh.client
        let (name, finalMode, finalMapping, finalWorkspace) = (file.name, mode, mapping, workspace)
        let report = try wh.session.perform {
            try await client.importCSV(csv, name: name, importMode: finalMode, fieldMapping: finalMapping, customFields: customFields,
                                       workspace: finalWorkspace)
        }
        for part in report.parts {
            wh.session.recordImport(target: "whispir", id: part.receipt.importID ?? part.receipt.location ?? part.resource.id,
                                    status: "accepted (\(part.receipt.status))")
        }
        let result = JSONValue.object([
            "rows": .integer(Int64(report.rows)),
            "warnings": .array(report.warnings.map(JSONValue.string)),
            "parts": .array(report.parts.map { part in
                .object([
                    "resource": .string(part.resource.id), "location": part.receipt.location.map(JSONValue.string) ?? .null,
                    "import_id": part.receipt.importID.map(JSONValue.string) ?? .null, "status": .integer(Int64(part.receipt.status)),
                    "rows": .integer(Int64(part.rowCount)), "first_row": .integer(Int64(part.firstRow)),
                    "bytes": .integer(Int64(part.csvBytes)), "request_bytes": .integer(Int64(part.requestBytes)),
                ])
            }),
        ])
        _ = try ClientBindingSupport.callHook(s, hooks: hooks, name: "after_import", stage: .table(LuaTable(fields: [
            "stage": "import", "result": OmnigageBinding.luaValue(result),
        ])), function: function)
        return result
    }
}
