import Foundation
import LuaRuntime
import Omnigage
import Tabular
import Transport

/// One `roster.omnigage{...}` client: its configuration and what it has handed out (uploads with
/// their S3 forms, and the local file sent with each, whose header drives a mapping).
final class OmnigageHandle {
    static let className = "roster.Omnigage"
    let configuration: OmnigageConfiguration
    let session: ClientSession
    var uploads: [String: OmnigageUpload] = [:]
    var uploadedFiles: [String: String] = [:]

    init(configuration: OmnigageConfiguration, session: ClientSession) {
        self.configuration = configuration
        self.session = session
    }

    /// A client over the run's transport (made per call: the transport ends with the run).
    var client: OmnigageClient { OmnigageClient(configuration: configuration, transport: session.httpTransport()) }
}

/// `roster.omnigage{ account=, key=, secret=, base_url= }` and the methods of the client it returns.
enum OmnigageBinding {
    static let function = "roster.omnigage"

    static func define(on s: LuaStack, into module: Int32, context: RosterContext, json: JSONCodec) {
        let null = json.null
        func handle(_ s: LuaStack, _ method: String) throws -> OmnigageHandle {
            try s.checkObject(1, className: OmnigageHandle.className, method: method, as: OmnigageHandle.self)
        }
        func pushRecord(_ record: OmnigageRecord, _ s: LuaStack) throws -> Int32 {
            try ClientBindingSupport.push(.object(luaFields(record)), on: s, null: null)
            return 1
        }
        s.defineClass(OmnigageHandle.className, methods: [
            "create_upload": { s in
                let og = try handle(s, "create_upload")
                let t = try ClientBindingSupport.options(s, at: 2, function: "create_upload")
                guard let name = try ClientBindingSupport.string(t, "name", "create_upload") else {
                    throw RosterScriptError("create_upload: option 'name' (the file name) is required")
                }
                let type = try ClientBindingSupport.string(t, "type", "create_upload") ?? "text/csv"
                let size = Int64(try ClientBindingSupport.number(t, "size", "create_upload") ?? 0)
                let client = og.client
                let upload = try og.session.perform { try await client.createUpload(name: name, type: type, size: size) }
                og.uploads[upload.id] = upload
                return try pushRecord(upload.record, s)
            },
            "upload": { s in
                let og = try handle(s, "upload")
                let up = try ClientBindingSupport.options(s, at: 2, function: "upload")
                let path = try s.checkString(3, function: "upload")
                let result = try upload(og, up, path: path)
                try ClientBindingSupport.push(result, on: s, null: null)
                return 1
            },
            "create_import": { s in
                let og = try handle(s, "create_import")
                let t = try ClientBindingSupport.options(s, at: 2, function: "create_import")
                let uploadID: String
                switch t["upload"] {
                case .table(let u): uploadID = u["id"].stringValue ?? ""
                case let other: uploadID = other.stringValue ?? ""
                }
                guard !uploadID.isEmpty else { throw RosterScriptError("create_import: option 'upload' (an upload or its id) is required") }
                var header: [String]?
                if case .table(let h) = t["header"] { header = h.array.compactMap(\.stringValue) }
                if header == nil, let path = og.uploadedFiles[uploadID] { header = try? Tables.open(path: path).header }
                let options = try importOptions(t, upload: uploadID, header: header, function: "create_import")
                let client = og.client
                let created = try og.session.perform { try await client.createImport(options) }
                og.session.recordImport(target: "omnigage", id: created.id, status: created.status)
                return try pushRecord(created.record, s)
            },
            "get_import": { s in
                let og = try handle(s, "get_import")
                let id = try importID(s, "get_import")
                let client = og.client
                let found = try og.session.perform { try await client.getImport(id) }
                og.session.recordImport(target: "omnigage", id: found.id, status: found.status)
                return try pushRecord(found.record, s)
            },
            "wait": { s in
                let og = try handle(s, "wait")
                let id = try importID(s, "wait")
                let t = try ClientBindingSupport.options(s, at: 3, function: "wait")
                let done = try wait(og, id: id, t, function: "wait")
                return try pushRecord(done.record, s)
            },
            "results": { s in
                let og = try handle(s, "results")
                let id = try importID(s, "results")
                let client = og.client
                let document = try og.session.perform { try await client.results(id) }
                try ClientBindingSupport.push(document.withLuaKeys(), on: s, null: null)
                return 1
            },
            "import": { s in
                let og = try handle(s, "import")
                return try runImport(s, og, pushRecord: pushRecord)
            },
        ], metamethods: [
            "__tostring": { s in
                let og = try handle(s, "__tostring")
                s.push("roster.Omnigage(\(og.configuration.accountKey) at \(og.configuration.baseURL))")
                return 1
            },
        ])

        s.push(function: { s in
            let t = try ClientBindingSupport.options(s, at: 1, function: function)
            let configuration: OmnigageConfiguration
            if let target = try context.session.sandboxTarget() {
                configuration = OmnigageConfiguration(accountKey: target.omnigageAccount, key: target.omnigageKey,
                                                      secret: target.omnigageSecret, baseURL: target.omnigageBaseURL)
            } else {
                do {
                    configuration = try OmnigageConfiguration.fromEnvironment(
                        context.environment, accountKey: try ClientBindingSupport.string(t, "account", function),
                        key: try ClientBindingSupport.string(t, "key", function), secret: try ClientBindingSupport.string(t, "secret", function),
                        baseURL: try ClientBindingSupport.string(t, "base_url", function))
                } catch {
                    throw context.session.note(error)
                }
            }
            s.push(object: OmnigageHandle(configuration: configuration, session: context.session), className: OmnigageHandle.className)
            return 1
        })
        s.setField("omnigage", in: module)
    }

    /// The record as Lua sees it: attributes with `-` turned to `_`, plus `id`, `type` and `status`;
    /// the S3 form's field names stay verbatim (they are sent as they are).
    static func luaFields(_ record: OmnigageRecord) -> [String: JSONValue] {
        var fields = record.luaFields
        for name in ["request-form-data", "request-headers"] {
            if let verbatim = record.attributes[name] { fields[JSONValue.luaKey(name)] = verbatim }
        }
        return fields
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
    static func upload(_ og: OmnigageHandle, _ up: LuaTable, path: String) throws -> JSONValue {
        let id = up["id"].stringValue ?? ""
        let client = og.client
        if let known = og.uploads[id] {
            let receipt = try og.session.perform { try await client.upload(known, path: path) }
            og.uploads[receipt.uploadID] = receipt.upload
            og.uploadedFiles[receipt.uploadID] = path
            return .object([
                "upload_id": .string(receipt.uploadID), "status": .integer(Int64(receipt.s3.status)),
                "key": receipt.s3.key.map(JSONValue.string) ?? .null, "etag": receipt.s3.etag.map(JSONValue.string) ?? .null,
                "location": receipt.s3.location.map(JSONValue.string) ?? .null, "bytes": .integer(receipt.s3.bytes),
                "replaced_upload_ids": .array(receipt.replacedUploadIDs.map(JSONValue.string)),
            ])
        }
        guard let url = up["request_url"].stringValue ?? up["url"].stringValue else {
            throw RosterScriptError("upload: the upload has no request_url (pass what create_upload returned)")
        }
        func pairs(_ value: LuaValue) -> [(String, String)] {
            guard case .table(let t) = value else { return [] }
            let items = t.array.isEmpty ? [LuaValue.table(LuaTable(fields: t.fields))] : t.array
            return items.flatMap { item -> [(String, String)] in
                guard case .table(let one) = item else { return [] }
                return one.fields.compactMap { k, v in k.stringValue.flatMap { key in v.stringValue.map { (key, $0) } } }
                    .sorted { $0.0 < $1.0 }
            }
        }
        let expiry = up["expires_at"].stringValue.flatMap { HTTPDate.parse($0) ?? ISO8601DateFormatter().date(from: $0) }
        let form = S3PostForm(url: url, method: up["request_method"].stringValue ?? "post",
                              fields: pairs(up["request_form_data"].isNil ? up["fields"] : up["request_form_data"]),
                              headers: pairs(up["request_headers"]), expiresAt: expiry)
        let fileName = up["name"].stringValue
        let contentType = up["type"].stringValue ?? "text/csv"
        let transport = og.session.httpTransport()
        let result = try og.session.perform {
            try await S3PostUpload(transport: transport).upload(form, file: path, fileName: fileName, contentType: contentType)
        }
        if !id.isEmpty { og.uploadedFiles[id] = path }
        return .object([
            "upload_id": id.isEmpty ? .null : .string(id), "status": .integer(Int64(result.status)),
            "key": result.key.map(JSONValue.string) ?? .null, "etag": result.etag.map(JSONValue.string) ?? .null,
            "location": result.location.map(JSONValue.string) ?? .null, "bytes": .integer(result.bytes),
        ])
    }

    /// Import options from a Lua table; `mapping` is `{ [field] = column }` (needs `header`) or
    /// Omnigage's header-aligned array (`false`, `""` or `roster.json.null` for an unmapped column).
    static func importOptions(_ t: LuaTable, upload: String, header: [String]?, function: String) throws -> OmnigageImportOptions {
        var mapping: [String?]?
        switch t["mapping"] {
        case .nil: mapping = nil
        case .table(let m) where m.fields.isEmpty && !m.array.isEmpty:
            mapping = m.array.map { v in v.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        case .table:
            guard let map = try ClientBindingSupport.stringMap(t, "mapping", function) else { break }
            guard let header else {
                throw RosterScriptError("\(function): mapping { field = column } needs the file's header: pass header = {...} or upload the file with this client first")
            }
            mapping = try OmnigageClient.mappingArray(header: header, mapping: map)
        case let other:
            throw RosterScriptError("\(function): option 'mapping' must be a table, got \(ClientBindingSupport.typeName(other))")
        }
        return OmnigageImportOptions(
            uploadID: upload, status: try ClientBindingSupport.string(t, "status", function) ?? "queued",
            uniquePrimaryPhone: try ClientBindingSupport.bool(t, "unique_primary_phone", function),
            uniquePrimaryEmail: try ClientBindingSupport.bool(t, "unique_primary_email", function),
            updatePruning: try ClientBindingSupport.bool(t, "update_pruning", function),
            enablePreflights: try ClientBindingSupport.bool(t, "enable_preflights", function),
            mapping: mapping, listID: try ClientBindingSupport.string(t, "list", function))
    }

    static func wait(_ og: OmnigageHandle, id: String, _ t: LuaTable, function: String) throws -> OmnigageImport {
        let timeout = try ClientBindingSupport.number(t, "timeout", function) ?? 600
        let interval = try ClientBindingSupport.number(t, "interval", function) ?? 1
        let client = og.client
        let done = try og.session.perform {
            try await client.wait(id, timeout: .milliseconds(Int64(timeout * 1000)), interval: .milliseconds(Int64(max(0.01, interval) * 1000)))
        }
        og.session.recordImport(target: "omnigage", id: done.id, status: done.status)
        return done
    }

    /// `og:import(rows_or_path, opts)`: write -> upload -> import -> wait, with the hooks around each stage.
    static func runImport(_ s: LuaStack, _ og: OmnigageHandle, pushRecord: (OmnigageRecord, LuaStack) throws -> Int32) throws -> Int32 {
        let function = "import"
        let opts = try ClientBindingSupport.options(s, at: 3, function: function)
        let hooks = try ClientBindingSupport.hooksIndex(s, options: 3, function: function)
        let directory = try ClientBindingSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var columns: [String]?
        if case .table(let c) = opts["columns"] { columns = c.array.compactMap(\.stringValue) }
        let file = try ClientBindingSupport.prepareFile(
            s, at: 2, in: directory, name: try ClientBindingSupport.string(opts, "name", function), columns: columns,
            errors: try ClientBindingSupport.string(opts, "errors", function), keep: [.csv, .xlsx], function: function)
        let header = LuaValue.table(LuaTable(array: file.header.map { .string($0) }))

        // Upload.
        var name = file.name
        var type = ClientBindingSupport.mimeType(file.format)
        let size = ClientBindingSupport.fileSize(file.path)
        var stage = LuaTable(fields: ["stage": "upload", "path": .string(file.path), "name": .string(name), "type": .string(type),
                                      "size": .integer(size), "header": header])
        if let rows = file.rows { stage.fields["rows"] = .integer(Int64(rows)) }
        if let changed = try ClientBindingSupport.callHook(s, hooks: hooks, name: "before_upload", stage: .table(stage), function: function) {
            name = changed["name"].stringValue ?? name
            type = changed["type"].stringValue ?? type
        }
        let client = og.client
        let (path, uploadName, uploadType) = (file.path, name, type)
        let upload = try og.session.perform { try await client.createUpload(name: uploadName, type: uploadType, size: size) }
        let receipt = try og.session.perform { try await client.upload(upload, path: path) }
        og.uploads[receipt.uploadID] = receipt.upload
        _ = try ClientBindingSupport.callHook(s, hooks: hooks, name: "after_upload", stage: .table(LuaTable(fields: [
            "stage": "upload", "upload": luaValue(luaFields(receipt.upload.record)),
            "s3": .table(LuaTable(fields: ["key": receipt.s3.key.map(LuaValue.string) ?? .nil, "bytes": .integer(receipt.s3.bytes),
                                           "status": .integer(Int64(receipt.s3.status))])),
        ])), function: function)

        // Import.
        var importTable = LuaTable()
        for key in ["unique_primary_phone", "unique_primary_email", "update_pruning", "enable_preflights", "mapping", "list", "status"] {
            importTable.fields[.string(key)] = opts[key]
        }
        let importStage = LuaTable(fields: ["stage": "import", "upload": .string(receipt.uploadID), "header": header,
                                            "options": .table(importTable)])
        if let changed = try ClientBindingSupport.callHook(s, hooks: hooks, name: "before_import", stage: .table(importStage), function: function) {
            if case .table(let replaced) = changed["options"] { importTable = replaced }
        }
        let options = try importOptions(importTable, upload: receipt.uploadID, header: file.header, function: function)
        var result = try og.session.perform { try await client.createImport(options) }
        og.session.recordImport(target: "omnigage", id: result.id, status: result.status)
        if opts["wait"] != .boolean(false) {
            result = try wait(og, id: result.id, opts, function: function)
        }
        _ = try ClientBindingSupport.callHook(s, hooks: hooks, name: "after_import", stage: .table(LuaTable(fields: [
            "stage": "import", "import": luaValue(luaFields(result.record)),
        ])), function: function)
        return try pushRecord(result.record, s)
    }

    /// A JSON value as a Lua value (nulls left out), for stage tables handed to hooks.
    static func luaValue(_ fields: [String: JSONValue]) -> LuaValue { luaValue(JSONValue.object(fields)) }

    static func luaValue(_ value: JSONValue) -> LuaValue {
        switch value {
        case .null: return .nil
        case .bool(let b): return .boolean(b)
        case .integer(let i): return .integer(i)
        case .double(let d): return .number(d)
        case .string(let t): return .string(t)
        case .array(let items): return .table(LuaTable(array: items.map { $0 == .null ? .boolean(false) : luaValue($0) }))
        case .object(let members):
            var t = LuaTable()
            for (k, v) in members where v != .null { t.fields[.string(k)] = luaValue(v) }
            return .table(t)
        }
    }
}

extension LuaValue {
    var isNil: Bool { self == .nil }
}
