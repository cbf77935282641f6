import Foundation
import LuaRuntime
import Omnigage
import Pipeline
import Tabular
import Transport

/// One `roster.omnigage{...}` client: its configuration and what it has handed out (uploads with
/// their S3 forms, and the local file sent with each, whose header drives a mapping).
final class OmnigageHandle: TargetHandle {
    static let className = "roster.Omnigage"
    let target: OmnigageTarget
    var uploads: [String: OmnigageUpload] = [:]
    var uploadedFiles: [String: String] = [:]
    let session: ClientSession

    init(target: OmnigageTarget, session: ClientSession) {
        self.target = target
        self.session = session
    }

    var client: OmnigageClient { target.client }
    var configuration: OmnigageConfiguration { target.client.configuration }

    func importTarget() -> any ImportTarget { target }
}

/// `roster.omnigage{ account=, key=, secret=, base_url= }` and the methods of the client it returns:
/// each low-level call maps one to one onto `OmnigageClient`; `og:import` runs a job.
enum OmnigageBinding {
    static let function = "roster.omnigage"

    static func define(on s: LuaStack, into module: Int32, context: RosterContext, codec: JSONCodec, jobs: JobBinding) {
        func handle(_ s: LuaStack, _ method: String) throws -> OmnigageHandle {
            try s.checkObject(1, className: OmnigageHandle.className, method: method, as: OmnigageHandle.self)
        }
        func pushRecord(_ record: OmnigageRecord, _ s: LuaStack) throws -> Int32 {
            try codec.push(.object(luaFields(record, redacted: s.state.options.sandboxed)), on: s)
            return 1
        }
        s.defineClass(OmnigageHandle.className, methods: [
            "create_upload": { s in
                let og = try handle(s, "create_upload")
                let t = try codec.options(s, at: 2, function: "create_upload", known: ["name", "type", "size"])
                guard let name = try t.string("name") else {
                    throw RosterScriptError("create_upload: option 'name' (the file name) is required")
                }
                let type = try t.string("type") ?? "text/csv"
                let size = Int64(try t.number("size") ?? 0)
                let client = og.client
                let upload = try og.session.perform("og:create_upload") { try await client.createUpload(name: name, type: type, size: size) }
                og.uploads[upload.id] = upload
                return try pushRecord(upload.record, s)
            },
            "upload": { s in
                let og = try handle(s, "upload")
                guard s.type(at: 2) == .table, case .object(let up) = try codec.value(at: 2, on: s, what: "upload") else {
                    throw s.argumentError(2, function: "upload", expected: "table (what create_upload returned)")
                }
                let path = try s.checkString(3, function: "upload")
                try s.state.checkFile(path, function: "upload")
                try codec.push(try upload(og, up, path: path), on: s)
                return 1
            },
            "create_import": { s in
                let og = try handle(s, "create_import")
                var params = try codec.options(s, at: 2, function: "create_import", known: [
                    "upload", "header", "mapping", "status", "unique_primary_phone", "unique_primary_email", "update_pruning",
                    "enable_preflights", "list",
                ]).values
                let uploadID = params["upload"]?["id"]?.stringValue ?? params["upload"]?.stringValue ?? ""
                guard !uploadID.isEmpty else { throw RosterScriptError("create_import: option 'upload' (an upload or its id) is required") }
                params["upload"] = .string(uploadID)
                var header = params["header"]?.arrayValue?.compactMap(\.stringValue)
                if header == nil, let path = og.uploadedFiles[uploadID] { header = try? Tables.open(path: path).header }
                let options = try OmnigageTarget.importOptions(params, header: header, upload: uploadID, status: params["status"]?.stringValue,
                                                              stage: "create_import")
                let client = og.client
                let created = try og.session.perform("og:create_import") { try await client.createImport(options) }
                return try pushRecord(created.record, s)
            },
            "get_import": { s in
                let og = try handle(s, "get_import")
                let id = try importID(s, "get_import")
                let client = og.client
                let found = try og.session.perform("og:get_import") { try await client.getImport(id) }
                return try pushRecord(found.record, s)
            },
            "wait": { s in
                let og = try handle(s, "wait")
                let id = try importID(s, "wait")
                let t = try codec.options(s, at: 3, function: "wait", known: ["timeout", "interval"])
                let timeout = try t.number("timeout") ?? 600
                let interval = max(0.01, try t.number("interval") ?? 1)
                let client = og.client
                let done = try og.session.perform("og:wait") {
                    try await client.wait(id, timeout: .milliseconds(Int64(timeout * 1000)), interval: .milliseconds(Int64(interval * 1000)))
                }
                return try pushRecord(done.record, s)
            },
            "results": { s in
                let og = try handle(s, "results")
                let id = try importID(s, "results")
                let client = og.client
                let document = try og.session.perform("og:results") { try await client.results(id) }
                try codec.push(document.withLuaKeys(), on: s)
                return 1
            },
            "import": { s in
                let og = try handle(s, "import")
                let job = try jobs.importJob(s, target: og, mappingKeys: ["mapping"])
                guard case .object(var result) = try jobs.run(job, on: s) else { return 0 }
                // The import's own fields at the top level, as og:create_import returns them.
                if case .array(let imports)? = result["imports"], case .object(let first)? = imports.last {
                    for (k, v) in first where result[k] == nil { result[k] = v }
                }
                try codec.push(.object(result), on: s)
                return 1
            },
        ], metamethods: [
            "__tostring": { s in
                let og = try handle(s, "__tostring")
                s.push("roster.Omnigage(\(og.configuration.accountKey) at \(og.configuration.baseURL))")
                return 1
            },
        ])

        s.push(function: { s in
            guard let target = try TargetBinding.make(OmnigageTarget.kind, s, context: context, codec: codec) as? OmnigageTarget else { return 0 }
            s.push(object: OmnigageHandle(target: target, session: context.session), className: OmnigageHandle.className)
            return 1
        })
        s.setField("omnigage", in: module)
    }

    /// The record as Lua sees it: attributes with `-` turned to `_`, plus `id`, `type` and `status`;
    /// the S3 form's field names stay verbatim (they are sent as they are).
    /// With `redacted` (the default sandbox), the form's policy, signature and credential values are
    /// replaced: `og:upload` sends this client's uploads with the form it kept, never the script's copy.
    static func luaFields(_ record: OmnigageRecord, redacted: Bool) -> [String: JSONValue] {
        var fields = record.luaFields
        for name in ["request-form-data", "request-headers"] {
            guard let verbatim = record.attributes[name] else { continue }
            fields[JSONValue.luaKey(name)] = redacted ? redact(verbatim) : verbatim
        }
        return fields
    }

    /// Form fields whose values grant access: a script never needs them.
    static let secretFormFields: Set<String> = ["policy", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
                                                "awsaccesskeyid", "authorization"]

    static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(redact))
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (k, v) in members { out[k] = secretFormFields.contains(k.lowercased()) ? .string("[redacted]") : redact(v) }
            return .object(out)
        default: return value
        }
    }

    static func importID(_ s: LuaStack, _ method: String) throws -> String {
        if s.type(at: 2) == .table {
            s.getField("id", in: 2)
            defer { s.pop() }
            if let id = s.string(at: -1) { return id }
        }
        return try s.checkString(2, function: method)
    }

    /// `og:upload(up, path)`: an upload this client created is sent with its own form (renewed if it
    /// expired); any other table with `request_url` and `request_form_data` is sent as a bare S3 POST form.
    static func upload(_ og: OmnigageHandle, _ up: [String: JSONValue], path: String) throws -> JSONValue {
        let id = up["id"]?.stringValue ?? ""
        let client = og.client
        if let known = og.uploads[id] {
            let receipt = try og.session.perform("og:upload") { try await client.upload(known, path: path) }
            og.uploads[receipt.uploadID] = receipt.upload
            og.uploadedFiles[receipt.uploadID] = path
            return .object([
                "upload_id": .string(receipt.uploadID), "status": .integer(Int64(receipt.s3.status)),
                "key": receipt.s3.key.map(JSONValue.string) ?? .null, "etag": receipt.s3.etag.map(JSONValue.string) ?? .null,
                "location": receipt.s3.location.map(JSONValue.string) ?? .null, "bytes": .integer(receipt.s3.bytes),
                "replaced_upload_ids": .array(receipt.replacedUploadIDs.map(JSONValue.string)),
            ])
        }
        let form = try OmnigageClient.form(scriptUpload: up)
        let fileName = up["name"]?.stringValue
        let contentType = up["type"]?.stringValue ?? "text/csv"
        let transport = og.session.httpTransport()
        let result = try og.session.perform("og:upload") {
            try await S3PostUpload(transport: transport).upload(form, file: path, fileName: fileName, contentType: contentType)
        }
        if !id.isEmpty { og.uploadedFiles[id] = path }
        return .object([
            "upload_id": id.isEmpty ? .null : .string(id), "status": .integer(Int64(result.status)),
            "key": result.key.map(JSONValue.string) ?? .null, "etag": result.etag.map(JSONValue.string) ?? .null,
            "location": result.location.map(JSONValue.string) ?? .null, "bytes": .integer(result.bytes),
        ])
    }
}
