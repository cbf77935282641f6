import Foundation
import Omnigage
import Tabular
import Toolkit
import Transport

/// Omnigage as a job target: create upload -> S3 POST -> import-contacts -> wait.
public final class OmnigageTarget: ImportTarget {
    public let client: OmnigageClient
    public let name = "omnigage"
    /// The account key at the API's host (no port: the local sandbox moves between runs).
    public var account: String { client.configuration.accountKey + "@" + hostName(client.configuration.baseURL) }
    public let optionKeys: Set<String> = ["unique_primary_phone", "unique_primary_email", "update_pruning", "enable_preflights",
                                          "list", "status", "wait", "timeout", "interval", "custom_fields"]
    /// No field is confirmed mandatory; a contact needs a phone or an email (see `check`).
    public let requiredFields: [String] = []
    /// Omnigage imports workbooks too (docs/api/omnigage.md: CSV, XLS or XLSX uploads).
    public var untouchedFormats: Set<TableFormat> { [.xlsx, .xls] }
    /// Field names confirmed by Omnigage's documentation (docs/api/omnigage.md).
    public static let knownFields: Set<String> = ["first-name", "last-name", "company", "phone1-phone-number", "email1-email-address",
                                                  "phone2-phone-number", "email2-email-address"]
    static let booleanOptions = ["unique_primary_phone", "unique_primary_email", "update_pruning", "enable_preflights", "wait"]

    public init(client: OmnigageClient) {
        self.client = client
    }

    /// `roster.omnigage{ account=, key=, secret=, base_url= }`; the rest from `OMNIGAGE_*`.
    public static let kind = TargetKind(name: "omnigage", optionKeys: ["account", "key", "secret", "base_url"],
                                        credentialKeys: ["account", "key", "secret", "base_url"]) { options, environment, transport in
        let configuration = try OmnigageConfiguration.fromEnvironment(
            environment, accountKey: options["account"], key: options["key"], secret: options["secret"], baseURL: options["base_url"])
        return OmnigageTarget(client: OmnigageClient(configuration: configuration, transport: transport))
    }

    public func check(header: [String], mapping: [String: String], options: [String: JSONValue]) -> (errors: [String], warnings: [String]) {
        var errors: [String] = []
        var warnings: [String] = []
        for key in Self.booleanOptions where options[key] != nil {
            if case .bool = options[key] {} else { errors.append("option '\(key)' must be true or false") }
        }
        for key in ["timeout", "interval"] where options[key] != nil && options[key]?.doubleValue == nil {
            errors.append("option '\(key)' must be a number of seconds")
        }
        for key in ["list", "status"] where options[key] != nil && options[key]?.stringValue == nil {
            errors.append("option '\(key)' must be a string")
        }
        do { _ = try OmnigageClient.mappingArray(header: header, mapping: mapping) } catch {
            errors.append("\(error)")
        }
        // Omnigage takes field names beyond the documented ones (they pass with a warning), but a name
        // one typo away from a documented field is a mistake: stopped before anything is sent.
        let custom = Set((options["custom_fields"]?.arrayValue ?? []).compactMap(\.stringValue))
        for field in mapping.keys.sorted() where !Self.knownFields.contains(field) && !custom.contains(field) {
            if let near = nearestName(to: field, in: Self.knownFields) {
                errors.append("mapping field '\(field)' is not an Omnigage contact field: did you mean '\(near)'? "
                              + "(list it in options.custom_fields to send it as it is)")
            } else {
                warnings.append("mapping field '\(field)' is not a documented Omnigage contact field: it is sent as it is")
            }
        }
        if !mapping.isEmpty, mapping["phone1-phone-number"] == nil, mapping["email1-email-address"] == nil {
            errors.append("nothing maps to phone1-phone-number or email1-email-address: Omnigage needs a phone or an email to identify each contact")
        }
        return (errors, warnings)
    }

    /// Omnigage's stated rules (docs/api/omnigage.md): a contact is identified by a phone or an email,
    /// and an email column holds exactly one valid address. (Phone formats it may normalise itself.)
    public func rowProblem(_ row: MappedRow) -> String? {
        let phone = row["phone1-phone-number"], email = row["email1-email-address"]
        guard phone != nil || email != nil else { return nil }  // the mapping check already refused this
        if !row.has("phone1-phone-number") && !row.has("email1-email-address") {
            return "no phone and no email: Omnigage needs one of them to identify the contact"
        }
        for field in ["email1-email-address", "email2-email-address"] {
            if let value = row[field], !value.isEmpty, let problem = EmailAddress.problem(in: value) {
                return "\(field) \"\(value)\" is not an email address Omnigage accepts: \(problem)"
            }
        }
        return nil
    }

    public func send(_ file: PreparedFile, _ job: JobContext) throws -> [ImportRecord] {
        let client = self.client
        if let created = job.journal.last("import_created"), let id = created["import"]?.stringValue {
            job.accepted(rows: 0 ..< file.rows)
            return [ImportRecord(id: id, target: name, status: created["status"]?.stringValue ?? "queued")]
        }
        var uploadID: String
        var resumed = false
        if let uploaded = job.journal.last("uploaded"), let id = uploaded["upload"]?.stringValue {
            uploadID = id
            resumed = true
        } else {
            try job.enter("upload")
            var uploadName = file.name
            var type = file.mimeType
            if let changed = try job.hook(.beforeUpload, file.hookValue) {
                uploadName = changed["name"]?.stringValue ?? uploadName
                type = changed["type"]?.stringValue ?? type
            }
            let (path, size, finalName, finalType) = (file.path, file.bytes, uploadName, type)
            let upload = try job.remote { try await client.createUpload(name: finalName, type: finalType, size: size) }
            let progress = job.uploadProgress()
            let receipt = try job.remote { try await client.upload(upload, path: path, progress: progress) }
            uploadID = receipt.uploadID
            let uploadValue: [String: JSONValue] = [
                "upload": .string(uploadID), "name": .string(finalName), "key": receipt.key.map(JSONValue.string) ?? .null,
                "bytes": .integer(receipt.s3.bytes),
            ]
            try job.checkpoint("uploaded", uploadValue)
            var hookValue = uploadValue
            hookValue["id"] = .string(uploadID)
            hookValue["upload"] = nil
            _ = try job.hook(.afterUpload, .object(hookValue))
        }

        try job.enter("import")
        var params: [String: JSONValue] = ["upload": .string(uploadID), "mapping": .object(job.mapping.mapValues(JSONValue.string))]
        for key in ["unique_primary_phone", "unique_primary_email", "update_pruning", "enable_preflights", "list"] {
            if let v = job.options[key] { params[key] = v }
        }
        if let changed = try job.hook(.beforeImport, .object(params)), case .object(let replaced) = changed { params = replaced }
        let options = try Self.importOptions(params, header: file.header, upload: uploadID, status: job.options["status"]?.stringValue)
        let created: OmnigageImport
        do {
            created = try job.createOnce("import of upload \(uploadID)", key: ["upload": .string(uploadID)], vendor: "Omnigage",
                                         where: "the account's imports (Contacts > Imports)") { try await client.createImport(options) }
        } catch let error as JobError where resumed && error.failure == .refused {
            throw JobError(.refused, stage: "import", "\(error.message) (the upload \(uploadID) came from the journal of an earlier run; "
                           + "if Omnigage no longer has it, run again with --fresh)", underlying: error.underlying)
        }
        try job.checkpoint("import_created", ["import": .string(created.id), "status": .string(created.status ?? "queued")])
        job.accepted(rows: 0 ..< file.rows)
        return [record(created)]
    }

    public func settle(_ imports: [ImportRecord], _ job: JobContext) throws -> [ImportRecord] {
        let client = self.client
        var settled: [ImportRecord] = []
        for current in imports {
            var done = current
            if job.options["wait"] != .bool(false) {
                let timeout = job.options["timeout"]?.doubleValue ?? 600
                let interval = max(0.01, job.options["interval"]?.doubleValue ?? 1)
                let (id, beat) = (current.id, job.heartbeat())
                let final = try job.remote {
                    try await client.wait(id, timeout: .milliseconds(Int64(timeout * 1000)), interval: .milliseconds(Int64(interval * 1000)),
                                          onPoll: { _ in beat() })
                }
                done = record(final)
                try job.checkpoint("settled", ["import": .string(id), "status": .string(done.status)])
                if done.status.lowercased() == "failed" {
                    throw JobError(.refused, stage: "settle", "Omnigage import \(id) ended \(done.status)")
                }
            }
            _ = try job.hook(.afterImport, done.scriptValue)
            settled.append(done)
        }
        return settled
    }

    /// Reads each import's results document. Its shape is unconfirmed (docs/api/omnigage.md): a `data`
    /// list whose items carry a 1-based `row` of the uploaded file and a `status` (or `outcome`) of
    /// created, updated or erred, with `message` and `contact-id` when given. Any other shape is
    /// reported as unknown (the counts stand) rather than guessed.
    public func rowResults(_ imports: [ImportRecord], _ job: JobContext) throws -> [VendorRowResult]? {
        let client = self.client
        var all: [VendorRowResult] = []
        for i in imports where job.options["wait"] != .bool(false) {
            let id = i.id
            let document = try job.remote { try await client.results(id) }
            guard let rows = Self.rowResults(document) else {
                throw JobError(.refused, stage: "results", "the results of import \(id) have a shape Roster does not know")
            }
            all += rows
        }
        return all
    }

    static func rowResults(_ document: JSONValue) -> [VendorRowResult]? {
        guard let items = document["data"]?.arrayValue else { return nil }
        var rows: [VendorRowResult] = []
        for item in items {
            let a = item["attributes"] ?? item
            guard let row = (a["row"] ?? a["row-number"])?.intValue, row >= 1,
                  let outcome = (a["status"] ?? a["outcome"] ?? a["result"])?.stringValue?.lowercased(),
                  ["created", "updated", "erred", "error", "failed"].contains(outcome) else { return nil }
            rows.append(VendorRowResult(row: Int(row) - 1, outcome: outcome == "created" || outcome == "updated" ? outcome : "erred",
                                        id: (a["contact-id"] ?? a["contact_id"])?.stringValue,
                                        message: (a["message"] ?? a["error"])?.stringValue))
        }
        return rows
    }

    func record(_ i: OmnigageImport) -> ImportRecord {
        func count(_ name: String) -> Int? { i.count(name).map { Int($0) } }
        let created = count("created"), updated = count("updated"), erred = count("erred")
        var total = count("total")
        if total == nil, created != nil || updated != nil || erred != nil { total = (created ?? 0) + (updated ?? 0) + (erred ?? 0) }
        return ImportRecord(id: i.id, target: name, status: i.status ?? "unknown", created: created, updated: updated, erred: erred,
                            total: total, attributes: i.record.attributes)
    }

    /// Import options from snake_case params (a job's `before_import` params, or `og:create_import`'s
    /// table): `mapping` is `{ [field] = column }` (aligned here with `header`) or Omnigage's own
    /// header-aligned list (null, false or "" for an unmapped column). Wrong types are errors.
    public static func importOptions(_ params: [String: JSONValue], header: [String]?, upload: String, status: String?,
                                     stage: String = "import") throws -> OmnigageImportOptions {
        func fail(_ text: String) -> JobError { JobError(.usage, stage: stage, text) }
        var mapping: [String?]?
        switch params["mapping"] {
        case nil, .null?: break
        case .array(let items)?:
            mapping = items.map { $0.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        case .object(let m)? where !m.isEmpty:
            var fields: [String: String] = [:]
            for (field, column) in m {
                guard let c = column.stringValue else { throw fail("mapping field '\(field)' must name a column (a string)") }
                fields[field] = c
            }
            guard let header else {
                throw fail("mapping { field = column } needs the file's header: pass header = {...} or upload the file with this client first")
            }
            do { mapping = try OmnigageClient.mappingArray(header: header, mapping: fields) } catch {
                throw JobError(.usage, stage: stage, "\(error)", underlying: error)
            }
        case .object?: break
        case let other?: throw fail("option 'mapping' must be a table, not \(other)")
        }
        func bool(_ key: String) throws -> Bool? {
            switch params[key] {
            case nil, .null?: return nil
            case .bool(let b)?: return b
            case let other?: throw fail("option '\(key)' must be true or false, not \(other)")
            }
        }
        let list = params["list"]?.stringValue ?? params["list"]?.intValue.map(String.init)
        return OmnigageImportOptions(uploadID: params["upload"]?.stringValue ?? upload, status: status ?? "queued",
                                     uniquePrimaryPhone: try bool("unique_primary_phone"), uniquePrimaryEmail: try bool("unique_primary_email"),
                                     updatePruning: try bool("update_pruning"), enablePreflights: try bool("enable_preflights"),
                                     mapping: mapping, listID: list)
    }
}
