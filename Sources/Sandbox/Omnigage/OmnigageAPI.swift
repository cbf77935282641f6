import Foundation
import Hummingbird

/// The emulated Omnigage API under `/omnigage/api/v1` (docs/api/omnigage.md §12).
struct OmnigageAPI: Sendable {
    let state: OmnigageState
    let store: ObjectStore
    let configuration: SandboxConfiguration
    let s3URL: @Sendable () -> String
    let rootURL: @Sendable () -> String

    static let allowedUploadTypes: Set<String> = [
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel",
    ]

    /// The vendor's error document: `{"errors":[{"detail":…,"code":…}]}`.
    static func error(_ status: Int, _ detail: String, code: Int = 100) -> Response {
        Reply.json(status, .object([("errors", .array([.object([("detail", .string(detail)), ("code", .int(code))])]))]))
    }

    /// `segments` follow `omnigage/api/v1`.
    func handle(_ request: Request, segments: [String]) async -> Response {
        // Credentials: Basic token key:secret, plus X-Account-Key (required unless configured lenient).
        // The 401 code 401 is an emulator choice: only the status is documented.
        guard let credentials = request.basicCredentials,
              credentials.user == SandboxCredentials.omnigageTokenKey,
              credentials.password == SandboxCredentials.omnigageTokenSecret else {
            return Self.error(401, "Invalid API token: send Authorization: Basic base64(<token key>:<token secret>).", code: 401)
        }
        let accountKey = request.header("x-account-key")
        if let accountKey, accountKey != SandboxCredentials.omnigageAccountKey {
            return Self.error(401, "Unknown account key \"\(accountKey)\".", code: 401)
        }
        if accountKey == nil, configuration.omnigageRequireAccountKey {
            return Self.error(401, "Missing X-Account-Key header.", code: 401)
        }
        let method = request.method
        switch (method, segments.count) {
        case (.post, 1) where segments[0] == "uploads":
            return await createUpload(request)
        case (.get, 2) where segments[0] == "uploads":
            guard let upload = await state.upload(segments[1]) else { return Self.error(404, "Upload \"\(segments[1])\" not found.") }
            return Reply.json(200, uploadDocument(upload))
        case (.post, 1) where segments[0] == "import-contacts":
            return await createImport(request)
        case (.get, 2) where segments[0] == "import-contacts":
            guard let record = await state.poll(segments[1], now: configuration.now()) else {
                return Self.error(404, "Import \"\(segments[1])\" not found.")
            }
            return Reply.json(200, importDocument(record, request: request))
        case (.patch, 2) where segments[0] == "import-contacts":
            return await patchImport(request, id: segments[1])
        case (.get, 3) where segments[0] == "import-contacts" && segments[2] == "results":
            guard let record = await state.importRecord(segments[1]) else {
                return Self.error(404, "Import \"\(segments[1])\" not found.")
            }
            return Reply.json(200, resultsDocument(record))
        case (.get, 2) where segments[0] == "files":
            guard let file = await state.file(segments[1]) else { return Self.error(404, "File \"\(segments[1])\" not found.") }
            return Reply.json(200, .object([("data", .object([
                ("type", .string("files")), ("id", .string(file.id)),
                ("attributes", .object([
                    ("url", .string(rootURL() + "/omnigage/files/\(file.id)")), ("size-in-bytes", .int64(file.size)),
                    ("content-type", .string(file.contentType)), ("width", .null), ("height", .null),
                ])),
            ]))]))
        default:
            return Self.error(404, "No route for \(method.rawValue) /api/v1/\(segments.joined(separator: "/")).")
        }
    }

    /// `GET /omnigage/files/{id}`: the bytes behind a file resource's `url` (unauthenticated, like a signed link).
    func download(fileID: String) async -> Response {
        guard let file = await state.file(fileID), let data = FileManager.default.contents(atPath: file.path) else {
            return Self.error(404, "File \"\(fileID)\" not found.")
        }
        return Response(status: .ok, headers: [.contentType: file.contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: uploads

    private func createUpload(_ request: Request) async -> Response {
        let body: JSONValue
        do {
            body = try Self.parseUploadBody(try await request.body.collectBytes(limit: 64 * 1024))
        } catch {
            return Self.error(400, "The request body must be a JSON object with name, type and size.")
        }
        guard let name = body["name"]?.stringValue, !name.trimmedSpaces().isEmpty else {
            return Self.error(400, "\"name\" is required: the file name, e.g. contacts.csv.")
        }
        guard let type = body["type"]?.stringValue else { return Self.error(400, "\"type\" is required: the file's MIME type.") }
        guard Self.allowedUploadTypes.contains(type.lowercased()) else {
            return Self.error(400, "\"type\" \(type) is not accepted; use text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.")
        }
        guard let sizeValue = body["size"], let size = sizeValue.intValue ?? sizeValue.stringValue.flatMap({ Int($0) }), size >= 0 else {
            return Self.error(400, "\"size\" is required: the file size in bytes (a non-negative integer).")
        }
        guard Int64(size) <= configuration.uploadMaxLength else {
            return Self.error(400, "\"size\" \(size) exceeds the maximum of \(configuration.uploadMaxLength) bytes.")
        }
        let now = configuration.now()
        let upload = OmnigageUpload(id: Identifiers.omnigage(), name: name, type: type, size: Int64(size),
                                    keyPrefix: "uploads/\(Identifiers.hex(32))/", createdAt: now,
                                    expiresAt: now.addingTimeInterval(configuration.uploadLifetime))
        await state.addUpload(upload)
        return Reply.json(201, uploadDocument(upload))
    }

    /// Flat JSON, or the single-quoted pseudo-JSON the official SDK sends (answered 201 by the real server).
    static func parseUploadBody(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.contains("'") else { throw error }
            return try JSONValue.parse(Array(text.replacingOccurrences(of: "'", with: "\"").utf8))
        }
    }

    /// The pre-signed S3 POST form, signed (SigV2) with the sandbox's S3 secret.
    func uploadDocument(_ upload: OmnigageUpload) -> JSONValue {
        let policyText = PostPolicyWriter.omnigagePolicy(expiration: upload.expiresAt, acl: "private", bucket: SandboxCredentials.s3Bucket,
                                                         keyPrefix: upload.keyPrefix, maxLength: configuration.uploadMaxLength)
        let policy = Data(policyText.utf8).base64EncodedString()
        let signature = SignatureV2.sign(policy: policy, secret: SandboxCredentials.s3SecretAccessKey)
        let form: [(String, String)] = [
            ("acl", "private"), ("AWSAccessKeyId", SandboxCredentials.s3AccessKeyID), ("key", upload.keyPrefix + "${filename}"),
            ("policy", policy), ("signature", signature),
        ]
        return .object([("data", .object([
            ("type", .string("uploads")), ("id", .string(upload.id)),
            ("attributes", .object([
                ("expires-at", .string(Timestamps.rfc1123(upload.expiresAt))),
                ("max-length-in-bytes", .int64(configuration.uploadMaxLength)),
                ("request-url", .string(s3URL())),
                ("request-method", .string("post")),
                ("request-headers", .array([.object([("x-amz-server-side-encryption", .string("AES256"))])])),
                ("request-form-data", .array(form.map { .object([($0.0, .string($0.1))]) })),
            ])),
        ]))])
    }

    // MARK: imports

    private func createImport(_ request: Request) async -> Response {
        let body: JSONValue
        do { body = try JSONValue.parse(try await request.body.collectBytes(limit: 1024 * 1024)) } catch {
            return Self.error(400, "The request body must be a JSON:API document: {\"data\": {\"type\": \"import-contacts\", …}}.")
        }
        guard let data = body["data"], data.objectValue != nil else { return Self.error(400, "Missing \"data\" object.") }
        guard data["type"]?.stringValue == "import-contacts" else {
            return Self.error(400, "\"data.type\" must be \"import-contacts\".")
        }
        let attributes = data["attributes"] ?? .object([])
        guard let uploadID = data["relationships"]?["upload"]?["data"]?["id"]?.stringValue else {
            return Self.error(400, "\"data.relationships.upload.data.id\" is required: the id returned by POST /uploads.")
        }
        guard let upload = await state.upload(uploadID) else { return Self.error(400, "Upload \"\(uploadID)\" does not exist.") }
        guard let object = await store.newestObject(withPrefix: upload.keyPrefix) else {
            return Self.error(400, "Upload \"\(uploadID)\" has no uploaded file: POST the file to request-url first.")
        }
        let status = attributes["status"]?.stringValue ?? "queued"
        guard status == "queued" || status == "pending" else {
            return Self.error(400, "\"status\" must be \"queued\" (start now) or \"pending\" (review the mapping first), not \"\(status)\".")
        }
        var flags: [String: Bool] = [:]
        for name in ["unique-primary-phone", "unique-primary-email", "update-pruning", "enable-preflights"] {
            if let value = attributes[name], !value.isNull {
                guard let flag = value.boolValue else { return Self.error(400, "\"\(name)\" must be true or false.") }
                flags[name] = flag
            }
        }
        let header: [String]
        let sample: [String]
        do {
            let read = try TableFile.headerAndSample(path: object.path, format: TableFile.format(forPath: object.path))
            header = read.header
            sample = read.sample ?? []
        } catch {
            return Self.error(422, "The uploaded file \(object.key) could not be read as CSV or XLSX: \(error).")
        }
        var mapping = OmnigageAutoMapping.mapping(for: header)
        if let given = attributes["mapping"], !given.isNull {
            switch Self.validateMapping(given, columns: header.count) {
            case let .success(valid): mapping = valid
            case let .failure(problem): return Self.error(422, problem.detail)
            }
        }
        var listID: String?
        if let list = data["relationships"]?["list"]?["data"], !list.isNull {
            guard let id = list["id"]?.stringValue else { return Self.error(400, "\"relationships.list.data.id\" must be a string.") }
            listID = id
        }
        let now = configuration.now()
        let record = OmnigageImport(
            id: Identifiers.omnigage(), uploadID: uploadID, status: status,
            uniquePrimaryPhone: flags["unique-primary-phone"] ?? false, uniquePrimaryEmail: flags["unique-primary-email"] ?? false,
            updatePruning: flags["update-pruning"] ?? false, enablePreflights: flags["enable-preflights"] ?? false,
            header: header, mapping: mapping, sample: sample, listID: listID, createdAt: now, updatedAt: now,
            originalFileID: Identifiers.omnigage(), objectPath: object.path, objectContentType: object.contentType,
            queuedAt: status == "queued" ? now : nil)
        await state.addImport(record)
        return Reply.json(201, importDocument(record, request: request))
    }

    private func patchImport(_ request: Request, id: String) async -> Response {
        guard let current = await state.importRecord(id) else { return Self.error(404, "Import \"\(id)\" not found.") }
        let body: JSONValue
        do { body = try JSONValue.parse(try await request.body.collectBytes(limit: 1024 * 1024)) } catch {
            return Self.error(400, "The request body must be a JSON:API document.")
        }
        let attributes = body["data"]?["attributes"] ?? .object([])
        var mapping: [String?]?
        if let given = attributes["mapping"], !given.isNull {
            guard current.status == "pending" else {
                return Self.error(400, "The mapping can only change while the import is pending (it is \(current.status)).")
            }
            switch Self.validateMapping(given, columns: current.header.count) {
            case let .success(valid): mapping = valid
            case let .failure(problem): return Self.error(422, problem.detail)
            }
        }
        let status = attributes["status"]?.stringValue
        if let status, status != current.status, !(current.status == "pending" && status == "queued") {
            return Self.error(400, "Cannot change status from \"\(current.status)\" to \"\(status)\".")
        }
        guard let record = await state.update(id, mapping: mapping, status: status, now: configuration.now()) else {
            return Self.error(404, "Import \"\(id)\" not found.")
        }
        return Reply.json(200, importDocument(record, request: request))
    }

    static func validateMapping(_ value: JSONValue, columns: Int) -> Result<[String?], MappingProblem> {
        guard let items = value.arrayValue else { return .failure(MappingProblem("\"mapping\" must be an array with one entry per header column.")) }
        guard items.count == columns else {
            return .failure(MappingProblem("\"mapping\" has \(items.count) entries but the file has \(columns) columns."))
        }
        var mapping: [String?] = []
        var used: Set<String> = []
        for (index, item) in items.enumerated() {
            if item.isNull { mapping.append(nil); continue }
            guard let field = item.stringValue else { return .failure(MappingProblem("\"mapping\"[\(index)] must be a field name or null.")) }
            guard OmnigageAutoMapping.knownFields.contains(field) else {
                let known = OmnigageAutoMapping.knownFields.sorted().joined(separator: ", ")
                return .failure(MappingProblem("\"mapping\"[\(index)] names unknown contact field \"\(field)\"; known fields: \(known)."))
            }
            guard used.insert(field).inserted else { return .failure(MappingProblem("\"mapping\" uses \"\(field)\" twice.")) }
            mapping.append(field)
        }
        return .success(mapping)
    }

    func importDocument(_ record: OmnigageImport, request: Request) -> JSONValue {
        let host = request.header("host").map { "http://\($0)" } ?? rootURL()
        let membership = JSONValue.object([("data", .object([("type", .string("memberships")), ("id", .string("Gk5tXw9PbNq3ZrHc7LmYdF"))]))])
        var attributes: [(String, JSONValue)] = [
            ("status", .string(record.status)),
            ("unique-primary-email", .bool(record.uniquePrimaryEmail)),
            ("unique-primary-phone", .bool(record.uniquePrimaryPhone)),
            ("update-pruning", .bool(record.updatePruning)),
            ("enable-preflights", .bool(record.enablePreflights)),
            ("header", .array(record.header.map { .string($0) })),
            ("mapping", .array(record.mapping.map { $0.map(JSONValue.string) ?? .null })),
            ("sample", .array(record.sample.map { .string($0) })),
            ("count-created", .int(record.countCreated)),
            ("count-updated", .int(record.countUpdated)),
            ("count-erred", .int(record.countErred)),
            ("count-total", .int(record.countTotal)),
            ("count-resolved", .int(0)),
            ("count-skipped", .int(0)),
            ("created-at", .string(Timestamps.microseconds(record.createdAt))),
            ("updated-at", .string(Timestamps.microseconds(record.updatedAt))),
        ]
        if let failure = record.failure { attributes.append(("failure-reason", .string(failure))) }
        return .object([("data", .object([
            ("type", .string("import-contacts")), ("id", .string(record.id)),
            ("attributes", .object(attributes)),
            ("relationships", .object([
                ("created-by", membership), ("updated-by", membership),
                ("list", .object([("data", record.listID.map { .object([("type", .string("lists")), ("id", .string($0))]) } ?? .null)])),
                ("results", .object([("links", .object([("related", .string("\(host)/omnigage/api/v1/import-contacts/\(record.id)/results"))]))])),
                ("original-file", .object([("data", .object([("type", .string("files")), ("id", .string(record.originalFileID))]))])),
                ("errors-file", .object([("data", record.errorsFileID.map { .object([("type", .string("files")), ("id", .string($0))]) } ?? .null)])),
            ])),
        ]))])
    }

    /// Per-row results (shape is an emulator choice; the docs leave it unconfirmed).
    func resultsDocument(_ record: OmnigageImport) -> JSONValue {
        .object([
            ("data", .array(record.results.map { result in
                .object([
                    ("type", .string("import-contact-results")), ("id", .string("\(record.id)-\(result.row)")),
                    ("attributes", .object([
                        ("row", .int(result.row)), ("line", .int(result.line)), ("status", .string(result.outcome.rawValue)),
                        ("contact-id", result.contactID.map(JSONValue.string) ?? .null),
                        ("message", result.message.map(JSONValue.string) ?? .null),
                    ])),
                ])
            })),
            ("meta", .object([("status", .string(record.status)), ("count", .int(record.results.count))])),
        ])
    }
}

/// Why a client-supplied mapping was refused.
struct MappingProblem: Error {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}
