import Foundation
import Tabular
import Transport
import Whispir

/// Whispir as a job target: the CSV split under 10 MB, one resource and one import per part.
public final class WhispirTarget: ImportTarget {
    public let client: WhispirClient
    public let name = "whispir"
    /// The workspace at the API's host (no port: the local sandbox moves between runs).
    public var account: String { (client.configuration.workspace ?? "default") + "@" + hostName(client.configuration.baseURL) }
    public let optionKeys: Set<String> = ["import_mode", "workspace", "custom_fields", "resource_format"]
    /// `resource_format`: what the resources are written as (CSV unless the job asks for Whispir's JSON or XML document).
    static let resourceFormats: [String: TableFormat] = ["csv": .csv, "json": .json, "xml": .xml]
    public var requiredFields: [String] { ContactFields.mandatory }

    public init(client: WhispirClient) {
        self.client = client
    }

    /// `roster.whispir{ api_key=, username=, password=, region=, base_url=, workspace= }`; the rest from `WHISPIR_*`.
    public static let kind = TargetKind(name: "whispir", optionKeys: ["api_key", "username", "password", "region", "base_url", "workspace"],
                                        credentialKeys: ["api_key", "username", "password", "region", "base_url"]) { options, environment, transport in
        let configuration = try WhispirConfiguration.fromEnvironment(
            environment, apiKey: options["api_key"], username: options["username"], password: options["password"],
            region: options["region"], baseURL: options["base_url"], workspace: options["workspace"])
        return WhispirTarget(client: WhispirClient(configuration: configuration, transport: transport))
    }

    public func check(header: [String], mapping: [String: String], options: [String: JSONValue]) -> (errors: [String], warnings: [String]) {
        var errors: [String] = []
        if let mode = options["import_mode"], WhispirImportMode(rawValue: mode.stringValue ?? "") == nil {
            errors.append("import_mode must be replace, duplicate or ignore, not \(mode)")
        }
        if let format = options["resource_format"], Self.resourceFormats[format.stringValue ?? ""] == nil {
            errors.append("resource_format must be csv, json or xml, not \(format)")
        }
        do { try ContactFields.check(mapping: mapping, header: header, customFields: customFields(options)) } catch {
            errors.append("\(error)")
        }
        return (errors, [])
    }

    func customFields(_ options: [String: JSONValue]) -> Set<String> {
        switch options["custom_fields"] {
        case .object(let m)?: return Set(m.keys)
        case .array(let a)?: return Set(a.compactMap(\.stringValue))
        default: return []
        }
    }

    /// Whispir's stated minimum for a contact (docs/api/whispir.md, 5 and 9): a first and last name, a
    /// country and a time zone (`+10` or `Area/City`), and a mobile or an email to reach it; mobiles as
    /// digits with their country code (`61423456789`).
    public func rowProblem(_ row: MappedRow) -> String? {
        for field in ["firstName", "lastName", "workCountry", "timezone"] where row[field] != nil && !row.has(field) {
            return "\(field) is empty: Whispir creates no contact without it"
        }
        let reach = ["workMobilePhone1", "personalMobilePhone1", "workEmailAddress1", "personalEmailAddress1"]
        if reach.contains(where: { row[$0] != nil }) && !reach.contains(where: row.has) {
            return "no mobile and no email: Whispir needs one of \(reach.filter { row[$0] != nil }.joined(separator: ", ")) to reach the contact"
        }
        if let zone = row["timezone"], !zone.isEmpty, !ContactFields.looksLikeTimezone(zone) {
            return "timezone \"\(zone)\" is neither a GMT offset (+10) nor an Area/City zone (Australia/Sydney)"
        }
        for field in ["workMobilePhone1", "personalMobilePhone1"] {
            guard let value = row[field], !value.isEmpty else { continue }
            if !ContactFields.looksLikePhone(value) {
                return "\(field) \"\(value)\" is not a mobile number with its country code: Whispir wants digits such as 61423456789 "
                    + "(roster.phone.e164(value, region) gives +61423456789)"
            }
        }
        return nil
    }

    public func send(_ file: PreparedFile, _ job: JobContext) throws -> [ImportRecord] {
        let client = self.client
        try job.enter("import")
        var params: [String: JSONValue] = [
            "import_mode": job.options["import_mode"] ?? .string("replace"),
            "field_mapping": .object(job.mapping.mapValues(JSONValue.string)),
            "workspace": job.options["workspace"] ?? client.configuration.workspace.map(JSONValue.string) ?? .null,
        ]
        if let changed = try job.hook(.beforeImport, .object(params)), case .object(let replaced) = changed { params = replaced }
        guard let mode = WhispirImportMode(rawValue: params["import_mode"]?.stringValue ?? "replace") else {
            throw JobError(.usage, stage: "import", "import_mode must be replace, duplicate or ignore, not \(params["import_mode"] ?? .null)")
        }
        var mapping: [String: String] = [:]
        if case .object(let m)? = params["field_mapping"] { for (k, v) in m { mapping[k] = v.stringValue } }
        let workspace = params["workspace"]?.stringValue
        let csv: [UInt8]
        do { csv = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path), options: .mappedIfSafe)) } catch {
            throw JobError(.usage, stage: "import", "cannot read \(file.path): \(error)")
        }
        let customFields = customFields(job.options)
        let format = Self.resourceFormats[job.options["resource_format"]?.stringValue ?? "csv"] ?? .csv
        let mimeType = WhispirClient.mimeType(of: format)
        let plan: [WhispirCSVPart]
        do {
            for warning in try WhispirClient.validate(csv: csv, fieldMapping: mapping, customFields: customFields) {
                client.transport.logger.warning("Whispir mapping: \(warning)")
            }
            plan = try WhispirClient.planParts(csv: csv, name: file.name, limit: client.configuration.requestLimit, format: format)
        } catch {
            throw JobError.wrapping(error, stage: "check")
        }
        var imports: [ImportRecord] = []
        for (index, part) in plan.enumerated() {
            let number = Int64(index + 1)
            let rows = (part.firstRow - 1) ..< (part.firstRow - 1 + part.rowCount)
            if let done = job.journal.all("part_imported").last(where: { $0["part"] == .integer(number) }),
               let id = done["import"]?.stringValue {
                job.accepted(rows: rows)
                imports.append(ImportRecord(id: id, target: name, status: done["status"]?.stringValue ?? "accepted", total: part.rowCount))
                continue
            }
            var resourceID = job.journal.all("resource_created").last(where: { $0["part"] == .integer(number) })?["resource"]?.stringValue
            if resourceID == nil {
                let (content, partName) = (part.csv, part.name)
                let resource = try job.remote {
                    try await client.createResource(name: partName, mimeType: mimeType, content: content, workspace: workspace)
                }
                try job.checkpoint("resource_created", ["part": .integer(number), "resource": .string(resource.id)])
                resourceID = resource.id
            }
            let (resource, fieldMapping) = (resourceID ?? "", mapping)
            let receipt = try job.createOnce("import of part \(number) (resource \(resource))", key: ["resource": .string(resource)],
                                             vendor: "Whispir", where: "the workspace's contacts") {
                try await client.createImport(resource: resource, importMode: mode, fieldMapping: fieldMapping, workspace: workspace)
            }
            let id = receipt.importID ?? receipt.location ?? resource
            let status = "accepted"
            try job.checkpoint("part_imported", ["part": .integer(number), "resource": .string(resource), "import": .string(id),
                                                  "status": .string(status), "rows": .integer(Int64(part.rowCount))])
            job.accepted(rows: rows)
            imports.append(ImportRecord(id: id, target: name, status: status, total: part.rowCount,
                                        attributes: ["resource": .string(resource), "part": .integer(number),
                                                     "first-row": .integer(Int64(part.firstRow)), "rows": .integer(Int64(part.rowCount)),
                                                     "location": receipt.location.map(JSONValue.string) ?? .null]))
        }
        return imports
    }

    /// Whispir reports no outcome beyond `202 Accepted`, and its API offers no way to read an import
    /// back (docs/api/whispir.md, 8): each import is handed to `after_import` saying so.
    public func settle(_ imports: [ImportRecord], _ job: JobContext) throws -> [ImportRecord] {
        let settled = imports.map { i in
            var i = i
            i.outcome = Self.outcomeNotReported
            return i
        }
        for i in settled { _ = try job.hook(.afterImport, i.scriptValue) }
        return settled
    }

    public static let outcomeNotReported = "not reported by Whispir (its API cannot read an import back): check the workspace's contacts"

}
