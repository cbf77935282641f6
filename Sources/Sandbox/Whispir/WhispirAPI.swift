import Foundation
import Hummingbird

/// The emulated Whispir API under `/whispir` (docs/api/whispir.md §13): resources, imports, contacts.
///
/// Authentication: the `x-api-key` header and Basic auth are both required (403 / 401 otherwise);
/// the `apikey` query parameter is accepted and, when sent, must match; it is required as well only
/// with `whispirRequireQueryAPIKey` (the 2018 gateway's "both" rule).
struct WhispirAPI: Sendable {
    let state: WhispirState
    let configuration: SandboxConfiguration
    let baseURL: @Sendable () -> String

    static let resourceMediaType = "application/vnd.whispir.resource-v1+json"
    static let importMediaTypes: Set<String> = [
        "application/vnd.whispir.import-v1+json", "application/vnd.whispir.importcontact-v1+json",
    ]
    static let privateMimeTypes: Set<String> = ["text/csv", "application/json", "application/xml"]
    static let mandatoryMappingKeys = ["firstName", "lastName", "workMobilePhone1", "workCountry", "timezone"]
    static let importModes: Set<String> = ["replace", "duplicate", "ignore"]

    /// Valid `fieldMapping` keys (docs/api/whispir.md §9: the schema's fields plus the older docs').
    static let contactFields: Set<String> = [
        "firstName", "lastName", "title", "otherFirstName", "otherLastName", "otherTitle", "status",
        "companyName", "jobTitle", "division", "businessUnit", "department", "teamName1", "teamName2", "role1", "role2",
        "workEmailAddress1", "workEmailAddress2", "workMobilePhone1", "workMobilePhone2", "workPhoneAreaCode1", "workPhone1",
        "workPhoneAreaCode2", "workPhone2", "workFaxAreaCode1", "workFax1", "workSatellitePhone", "workOtherPhone",
        "workAddress1", "workAddress2", "workSuburb", "workState", "workPostCode", "workCountry",
        "workPostalAddress1", "workPostalAddress2", "workPostalSuburb", "workPostalState", "workPostalPostCode", "workPostalCountry",
        "personalEmailAddress1", "personalEmailAddress2", "personalAddress1", "personalAddress2", "personalSuburb", "personalState",
        "personalPostCode", "personalCountry", "personalPhoneAreaCode1", "personalPhone1", "personalPhoneAreaCode2", "personalPhone2",
        "personalFaxAreaCode1", "personalFax1", "otherPhoneAreaCode1", "otherPhone1", "otherMobile", "timezone",
        "personalMobilePhone1",
    ]

    static func errorBody(summary: String, text: String, detail: String) -> JSONValue {
        .object([("errorSummary", .string(summary)), ("errorText", .string(text)), ("errorDetail", .string(detail))])
    }

    /// Whispir's error document (all three members always present).
    static func error(_ status: Int, summary: String, text: String, detail: String = "", headers: [(String, String)] = []) -> Response {
        Reply.json(status, errorBody(summary: summary, text: text, detail: detail), headers: headers)
    }

    /// `segments` follow `whispir`.
    func handle(_ request: Request, segments: [String]) async -> Response {
        if let refusal = await authenticate(request) {
            do { for try await _ in request.body {} } catch {}
            return refusal
        }
        var workspace = SandboxCredentials.whispirDefaultWorkspace
        var rest = segments[...]
        if rest.first == "workspaces" {
            if rest.count == 1 {
                guard request.method == .get else { return methodNotAllowed() }
                return await listWorkspaces()
            }
            workspace = rest[rest.startIndex + 1]
            guard await state.hasWorkspace(workspace) else {
                return Self.error(404, summary: "The workspace \(workspace) does not exist.", text: "Not Found")
            }
            rest = rest.dropFirst(2)
        }
        let path = Array(rest)
        switch (request.method, path.count, path.first) {
        case (.post, 1, "resources"): return await createResource(request, workspace: workspace)
        case (.get, 1, "resources"): return await listResources(workspace: workspace)
        case (.get, 2, "resources"):
            guard let resource = await state.resource(path[1], workspace: workspace) else {
                return Self.error(404, summary: "The resource \(path[1]) does not exist in this workspace.", text: "Not Found")
            }
            return Reply.json(200, resourceDocument(resource), contentType: Self.resourceMediaType)
        case (.put, 2, "resources"): return await replaceResource(request, id: path[1], workspace: workspace)
        case (.delete, 2, "resources"):
            guard await state.deleteResource(path[1], workspace: workspace) else {
                return Self.error(404, summary: "The resource \(path[1]) does not exist in this workspace.", text: "Not Found")
            }
            return Reply.empty(204)
        case (.post, 2, "resources"): return methodNotAllowed()
        case (.post, 1, "imports"): return await createImport(request, workspace: workspace)
        case (_, _, "imports"): return methodNotAllowed()
        case (.get, 1, "contacts"): return await listContacts(request, workspace: workspace)
        case (.get, 1, "activities"): return await listActivities(request, workspace: workspace, scoped: segments.first == "workspaces")
        default:
            return Self.error(404, summary: "No such resource: \(request.uri.path).", text: "Not Found")
        }
    }

    private func methodNotAllowed() -> Response {
        Self.error(405, summary: "This method is not supported on this resource.", text: "Method Not Allowed")
    }

    /// API key first (gateway, 403), then the rate limit, then the user (401).
    private func authenticate(_ request: Request) async -> Response? {
        let headerKey = request.header("x-api-key")
        let queryKey = request.query("apikey")
        guard let key = headerKey else {
            return Self.error(403, summary: "Your request did not include a valid API key: send it in the x-api-key header.",
                              text: "Forbidden", headers: [("X-Error-Code", "ERR_403_DEVELOPER_INACTIVE"), ("X-Error-Detail", "Developer Inactive")])
        }
        guard key == SandboxCredentials.whispirAPIKey, queryKey == nil || queryKey == key else {
            return Self.error(403, summary: "The API key is not valid.", text: "Forbidden",
                              headers: [("X-Error-Code", "ERR_403_DEVELOPER_INACTIVE"), ("X-Error-Detail", "Developer Inactive")])
        }
        if configuration.whispirRequireQueryAPIKey, queryKey == nil {
            return Self.error(403, summary: "The API key must be sent both as the apikey query parameter and the x-api-key header.",
                              text: "Forbidden", headers: [("X-Error-Code", "ERR_403_DEVELOPER_INACTIVE"), ("X-Error-Detail", "Developer Inactive")])
        }
        if let limit = await state.admit(key: key) {
            let (code, detail) = limit == .overQPS
                ? ("ERR_403_DEVELOPER_OVER_QPS", "Account Over Queries Per Second Limit")
                : ("ERR_403_DEVELOPER_OVER_QPD", "Account Over Queries Per Day Limit")
            let status = configuration.whispirRateLimitUses429 ? 429 : 403
            return Self.error(status, summary: detail, text: status == 429 ? "Too Many Requests" : "Forbidden",
                              headers: [("X-Error-Code", code), ("X-Error-Detail", detail)])
        }
        guard let user = request.basicCredentials, user.user == SandboxCredentials.whispirUsername,
              user.password == SandboxCredentials.whispirPassword else {
            return Self.error(401, summary: "Your username or password is not valid: send Authorization: Basic base64(username:password).",
                              text: "Unauthorized")
        }
        return nil
    }

    /// The media type without parameters, lower-cased.
    private static func mediaType(_ value: String?) -> String? {
        guard let value else { return nil }
        let primary = HeaderParameters.parse(value).primary.lowercased()
        return primary.isEmpty ? nil : primary
    }

    /// Collects the body within the 10 MB limit, or the spec's 413 answer.
    private func body(_ request: Request) async -> Result<[UInt8], EarlyResponse> {
        let limit = configuration.whispirMaxRequestBytes
        let tooLarge = Reply.json(413, .string("HTTP content length exceeded \(limit) bytes."))
        if let length = request.header("content-length").flatMap({ Int($0) }), length > limit {
            do { for try await _ in request.body {} } catch {}
            return .failure(EarlyResponse(tooLarge))
        }
        do { return .success(try await request.body.collectBytes(limit: limit)) } catch is BodyTooLarge {
            return .failure(EarlyResponse(tooLarge))
        } catch {
            return .failure(EarlyResponse(Self.error(400, summary: "The request body could not be read.", text: "Bad Request", detail: "\(error)")))
        }
    }

    private static func parseObject(_ bytes: [UInt8]) -> Result<JSONValue, EarlyResponse> {
        if bytes.isEmpty {
            return .failure(EarlyResponse(error(400, summary: "Your request did not contain everything this method needs.",
                                                text: "Bad Request", detail: "The request body is empty.")))
        }
        guard let json = try? JSONValue.parse(bytes), json.objectValue != nil else {
            return .failure(EarlyResponse(error(400, summary: "The request body is not a JSON object.", text: "Bad Request",
                                                detail: "Malformed JSON")))
        }
        return .success(json)
    }

    // MARK: resources

    private func createResource(_ request: Request, workspace: String) async -> Response {
        switch await decodeResource(request, id: Identifiers.hex(32, uppercase: true), workspace: workspace) {
        case let .failure(early):
            return early.response
        case let .success(resource):
            await state.addResource(resource)
            return Reply.json(201, resourceDocument(resource), contentType: Self.resourceMediaType,
                              headers: [("Location", resourceURL(resource))])
        }
    }

    /// PUT: all four fields again; the content is replaced (no versioning); 204.
    private func replaceResource(_ request: Request, id: String, workspace: String) async -> Response {
        guard await state.resource(id, workspace: workspace) != nil else {
            do { for try await _ in request.body {} } catch {}
            return Self.error(404, summary: "The resource \(id) does not exist in this workspace.", text: "Not Found")
        }
        switch await decodeResource(request, id: id, workspace: workspace) {
        case let .failure(early): return early.response
        case let .success(resource):
            await state.replaceResource(resource)
            return Reply.empty(204)
        }
    }

    /// Checks media type, size, the four fields, scope/MIME rules and base64, then stores the bytes.
    private func decodeResource(_ request: Request, id: String, workspace: String) async -> Result<WhispirResource, EarlyResponse> {
        let type = Self.mediaType(request.header("content-type"))
        guard type == Self.resourceMediaType else {
            let detail = type?.hasSuffix("+xml") == true ? "The sandbox speaks the JSON form only." : ""
            do { for try await _ in request.body {} } catch {}
            return .failure(EarlyResponse(Self.error(415, summary: "Send Content-Type: \(Self.resourceMediaType).",
                                                     text: "Unsupported Media Type", detail: detail)))
        }
        let bytes: [UInt8]
        switch await body(request) {
        case let .success(b): bytes = b
        case let .failure(early): return .failure(early)
        }
        let json: JSONValue
        switch Self.parseObject(bytes) {
        case let .success(j): json = j
        case let .failure(early): return .failure(early)
        }
        for field in ["name", "scope", "mimeType", "derefUri"] where json[field]?.stringValue == nil {
            return .failure(EarlyResponse(Self.error(400, summary: "Your request did not contain everything this method needs. Check the required fields.",
                                                     text: "\(field) is required")))
        }
        let name = json["name"]?.stringValue ?? ""
        let scope = json["scope"]?.stringValue ?? ""
        let mimeType = json["mimeType"]?.stringValue ?? ""
        guard scope == "private" || scope == "public" else {
            return .failure(EarlyResponse(Self.error(422, summary: "scope must be private or public.", text: "scope is invalid")))
        }
        if scope == "private", !Self.privateMimeTypes.contains(mimeType.lowercased()) {
            return .failure(EarlyResponse(Self.error(422, summary: "A private resource must be text/csv, application/json or application/xml.",
                                                     text: "mimeType \(mimeType) is not allowed for private resources")))
        }
        guard let data = Data(base64Encoded: json["derefUri"]?.stringValue ?? "", options: .ignoreUnknownCharacters), !data.isEmpty else {
            return .failure(EarlyResponse(Self.error(422, summary: "derefUri must be the file's content in standard base64.",
                                                     text: "derefUri is not valid base64")))
        }
        let ext: String = switch mimeType.lowercased() {
        case "text/csv": "csv"
        case "application/json": "json"
        case "application/xml": "xml"
        default: "bin"
        }
        let path = state.folder.appendingPathComponent("whispir-\(id)-\(UUID().uuidString.prefix(8)).\(ext)").path
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            return .failure(EarlyResponse(Self.error(500, summary: "The sandbox could not store the resource.", text: "Internal Server Error")))
        }
        return .success(WhispirResource(id: id, workspace: workspace, name: name, scope: scope, mimeType: mimeType, path: path, size: data.count))
    }

    private func resourceURL(_ resource: WhispirResource) -> String {
        "\(baseURL())/workspaces/\(resource.workspace)/resources/\(resource.id)"
    }

    private func resourceDocument(_ resource: WhispirResource) -> JSONValue {
        let uri = resourceURL(resource)
        var members: [(String, JSONValue)] = [
            ("id", .string(resource.id)), ("name", .string(resource.name)), ("scope", .string(resource.scope)),
            ("mimeType", .string(resource.mimeType)),
        ]
        if resource.scope == "public" { members.append(("url", .string(uri + "/content"))) }
        members.append(("link", .array([
            .object([("uri", .string(uri)), ("rel", .string("self")), ("method", .string("GET"))]),
            .object([("uri", .string(uri)), ("rel", .string("updateResource")), ("method", .string("PUT")),
                     ("type", .string("application/vnd.whispir.resource-v1+json,application/vnd.whispir.resource-v1+xml"))]),
            .object([("uri", .string(uri)), ("rel", .string("deleteResource")), ("method", .string("DELETE"))]),
        ])))
        return .object(members)
    }

    private func listResources(workspace: String) async -> Response {
        let list = await state.resources(in: workspace)
        let status = list.isEmpty ? "No records found" : "1 to \(list.count) of \(list.count)"
        return Reply.json(200, .object([("status", .string(status)), ("resources", .array(list.map(resourceDocument)))]),
                          contentType: Self.resourceMediaType)
    }

    private func listWorkspaces() async -> Response {
        let items = state.workspaces.map { ws in
            JSONValue.object([("id", .string(ws.id)), ("projectName", .string(ws.name)), ("projectNumber", .string(ws.number)),
                              ("status", .string("A"))])
        }
        return Reply.json(200, .object([("status", .string("1 to \(items.count) of \(items.count)")), ("workspaces", .array(items))]),
                          contentType: "application/vnd.whispir.workspace-v1+json")
    }

    // MARK: imports

    private func createImport(_ request: Request, workspace: String) async -> Response {
        // The seed sends only Accept; the spec sends Content-Type: either names the media type.
        let type = Self.mediaType(request.header("content-type")) ?? Self.mediaType(request.header("accept"))
        guard let mediaType = type, Self.importMediaTypes.contains(mediaType) else {
            return Self.error(415, summary: "Send Content-Type: application/vnd.whispir.importcontact-v1+json (or the older import-v1+json).",
                              text: "Unsupported Media Type", detail: type ?? "no media type")
        }
        let bytes: [UInt8]
        switch await body(request) {
        case let .success(b): bytes = b
        case let .failure(early): return early.response
        }
        let json: JSONValue
        switch Self.parseObject(bytes) {
        case let .success(j): json = j
        case let .failure(early): return early.response
        }
        func missing(_ text: String) -> Response {
            Self.error(400, summary: "Your request did not contain everything this method needs. Check the required fields.", text: text)
        }
        guard let resourceID = json["resourceId"]?.stringValue, !resourceID.isEmpty else { return missing("resourceId is required") }
        guard let importType = json["importType"]?.stringValue else { return missing("importType is required") }
        guard importType.lowercased() == "contact" else {
            return Self.error(400, summary: "importType must be \"contact\".", text: "importType \(importType) is not supported")
        }
        guard let options = json["importOptions"], options.objectValue != nil else { return missing("importOptions is required") }
        guard let mappingMembers = options["fieldMapping"]?.objectValue else { return missing("importOptions.fieldMapping is required") }
        let inner = options["importMode"]
        let outer = json["importMode"]
        let modeValue: JSONValue
        let placement: String
        switch (inner, outer) {
        case let (i?, o?):
            guard i == o else {
                return Self.error(400, summary: "importMode is given twice with different values.", text: "importMode is ambiguous",
                                  detail: "importOptions.importMode=\(i.serialized()) importMode=\(o.serialized())")
            }
            modeValue = i
            placement = "importOptions"
        case let (i?, nil): modeValue = i; placement = "importOptions"
        case let (nil, o?): modeValue = o; placement = "top-level"
        case (nil, nil): return missing("importMode is required")
        }
        guard let mode = modeValue.stringValue?.lowercased(), Self.importModes.contains(mode) else {
            return Self.error(400, summary: "importMode must be replace, duplicate or ignore.", text: "importMode is invalid",
                              detail: modeValue.serialized())
        }
        var mapping: [String: String] = [:]
        for (field, column) in mappingMembers {
            guard Self.contactFields.contains(field) else {
                return Self.error(400, summary: "fieldMapping keys must be Whispir contact fields.", text: "\(field) is not a contact field")
            }
            guard let name = column.stringValue, !name.isEmpty else {
                return Self.error(400, summary: "fieldMapping values must name a column of the resource.", text: "\(field) has no column")
            }
            mapping[field] = name
        }
        for key in Self.mandatoryMappingKeys where mapping[key] == nil {
            return Self.error(400, summary: "fieldMapping must map firstName, lastName, workMobilePhone1, workCountry and timezone.",
                              text: "\(key) is required")
        }
        guard let resource = await state.resource(resourceID, workspace: workspace) else {
            return Self.error(404, summary: "The resource \(resourceID) does not exist in this workspace.", text: "Not Found")
        }
        guard Self.privateMimeTypes.contains(resource.mimeType.lowercased()) else {
            return Self.error(422, summary: "Only CSV, JSON or XML resources can be imported.", text: "resource \(resourceID) is \(resource.mimeType)")
        }
        let header: [String]
        do {
            header = try TableFile.headerAndSample(path: resource.path, format: TableFile.format(forMimeType: resource.mimeType)).header
        } catch {
            return Self.error(422, summary: "The resource could not be read as \(resource.mimeType).", text: "resource is not valid",
                              detail: "\(error)")
        }
        if configuration.whispirRequireMappedColumns {
            for (field, column) in mapping.sorted(by: { $0.key < $1.key }) where !header.contains(column) {
                return Self.error(422, summary: "fieldMapping names a column the resource does not have.",
                                  text: "\(field) maps to missing column \(column)", detail: "columns: \(header.joined(separator: ", "))")
            }
        }
        let record = WhispirImport(id: Identifiers.hex(32, uppercase: true), workspace: workspace, resourceID: resourceID,
                                   importMode: mode, importModePlacement: placement, mediaType: mediaType, fieldMapping: mapping)
        // Rows are applied before answering: nothing can observe the asynchrony (there is no GET of an import).
        let done = await state.runImport(record, resource: resource)
        return Reply.make(status: 202, contentType: nil, body: "",
                          headers: [("Location", "\(baseURL())/workspaces/\(workspace)/imports/\(done.id)")])
    }

    // MARK: activities

    /// `GET /activities?module=&action=&status=&description=`; "nothing found" is a 404, as documented.
    private func listActivities(_ request: Request, workspace: String, scoped: Bool) async -> Response {
        var list = await state.allActivities()
        if scoped { list = list.filter { $0.workspace == workspace } }
        if let module = request.query("module") { list = list.filter { $0.module == module } }
        if let action = request.query("action") { list = list.filter { $0.action == action } }
        if let status = request.query("status") { list = list.filter { $0.status == status } }
        if let text = request.query("description") { list = list.filter { $0.description.contains(text) } }
        guard !list.isEmpty else { return Self.error(404, summary: "No records found", text: "Not Found") }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MM/yyyy HH:mm:ss"
        let items = list.map { activity in
            JSONValue.object([("module", .string(activity.module)), ("action", .string(activity.action)), ("status", .string(activity.status)),
                              ("description", .string(activity.description)), ("time", .string(formatter.string(from: activity.time)))])
        }
        return Reply.json(200, .object([("status", .string("1 to \(items.count) of \(items.count)")), ("activities", .array(items))]),
                          contentType: "application/vnd.whispir.activity-v1+json")
    }

    // MARK: contacts

    /// `GET /contacts?field=value…` (exact match on any contact field; `limit` ≤ 20, `offset`).
    private func listContacts(_ request: Request, workspace: String) async -> Response {
        var list = await state.contacts(in: workspace)
        for field in Self.contactFields {
            if let wanted = request.query(field) { list = list.filter { $0.fields[field] == wanted } }
        }
        let offset = max(0, request.query("offset").flatMap { Int($0) } ?? 0)
        let limit = min(20, max(1, request.query("limit").flatMap { Int($0) } ?? 20))
        let page = Array(list.dropFirst(offset).prefix(limit))
        let status = page.isEmpty ? "No records found" : "\(offset + 1) to \(offset + page.count) of \(list.count)"
        let items = page.map { contact in
            JSONValue.object([("id", .string(contact.id))] + contact.fields.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        }
        return Reply.json(200, .object([("status", .string(status)), ("contacts", .array(items))]),
                          contentType: "application/vnd.whispir.contact-v1+json")
    }
}

/// A response decided before the handler finished (a refusal), carried through `Result`.
struct EarlyResponse: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
