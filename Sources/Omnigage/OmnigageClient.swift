import Foundation
import Logging
import Transport

/// The Omnigage contact-import API: uploads, the S3 POST, import-contacts and polling.
///
/// Each stage returns the ids it created so a journal can record them.
/// ```swift
/// let og = OmnigageClient(configuration: config, transport: transport)
/// let upload = try await og.createUpload(name: "c.csv", type: "text/csv", size: 2048)
/// let receipt = try await og.upload(upload, path: "/tmp/c.csv")
/// let created = try await og.createImport(OmnigageImportOptions(uploadID: receipt.uploadID, uniquePrimaryPhone: true))
/// let done = try await og.wait(created.id, timeout: .seconds(600))
/// ```
public struct OmnigageClient: Sendable {
    /// Credentials and base URL.
    public let configuration: OmnigageConfiguration
    /// The run's transport.
    public let transport: HTTPTransport

    /// Creates a client over the run's transport.
    public init(configuration: OmnigageConfiguration, transport: HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    // MARK: Stages

    /// `POST /uploads` with the flat `{name, type, size}` body; returns the upload and its S3 form.
    public func createUpload(name: String, type: String, size: Int64) async throws -> OmnigageUpload {
        let body: JSONValue = .object(["name": .string(name), "type": .string(type), "size": .integer(size)])
        let document = try await call("POST", "/uploads", body: body, safety: .createsResource)
        guard let record = OmnigageRecord(document: document) else {
            throw OmnigageError.unexpectedResponse(method: "POST", path: "/uploads", status: 201, reason: "the body has no data.id")
        }
        let form = try Self.form(from: record)
        return OmnigageUpload(id: record.id, name: name, type: type, size: size, form: form, record: record)
    }

    /// Sends the file at `path` with the upload's S3 form (no Omnigage credentials travel to S3).
    /// If the form has expired, a fresh upload is created and the file is sent once more.
    public func upload(_ upload: OmnigageUpload, path: String, contentType: String? = nil,
                       progress: UploadProgress? = nil) async throws -> OmnigageUploadReceipt {
        let uploader = S3PostUpload(transport: transport)
        let type = contentType ?? upload.type
        let fileName = upload.name.isEmpty ? nil : upload.name
        do {
            let result = try await uploader.upload(upload.form, file: path, fileName: fileName, contentType: type, progress: progress)
            return OmnigageUploadReceipt(upload: upload, s3: result, replacedUploadIDs: [])
        } catch let error as S3UploadError where error.isPolicyExpired {
            transport.logger.info("upload form expired; creating a new upload", metadata: ["upload": .string(upload.id)])
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? upload.size
            let fresh = try await createUpload(name: upload.name, type: upload.type, size: size)
            let result = try await uploader.upload(fresh.form, file: path, fileName: fileName, contentType: type, progress: progress)
            return OmnigageUploadReceipt(upload: fresh, s3: result, replacedUploadIDs: [upload.id])
        }
    }

    /// `POST /import-contacts` (JSON:API) from a finished upload.
    public func createImport(_ options: OmnigageImportOptions) async throws -> OmnigageImport {
        let document = try await call("POST", "/import-contacts", body: options.document, safety: .createsResource)
        guard let record = OmnigageRecord(document: document) else {
            throw OmnigageError.unexpectedResponse(method: "POST", path: "/import-contacts", status: 201, reason: "the body has no data.id")
        }
        return OmnigageImport(record: record)
    }

    /// `GET /import-contacts/{id}`.
    public func getImport(_ id: String) async throws -> OmnigageImport {
        let path = "/import-contacts/\(Self.escape(id))"
        let document = try await call("GET", path)
        guard let record = OmnigageRecord(document: document) else {
            throw OmnigageError.unexpectedResponse(method: "GET", path: path, status: 200, reason: "the body has no data.id")
        }
        return OmnigageImport(record: record)
    }

    /// Polls the import until its status is final (`completed` or any state other than queued,
    /// pending, scheduled, in-progress, processing); the interval doubles up to `maxInterval`.
    public func wait(_ id: String, timeout: Duration = .seconds(600), interval: Duration = .seconds(2),
                     maxInterval: Duration = .seconds(30), onPoll: (@Sendable (OmnigageImport) -> Void)? = nil) async throws -> OmnigageImport {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var delay = interval
        while true {
            let current = try await getImport(id)
            onPoll?(current)
            if current.isFinal { return current }
            let now = clock.now
            guard now < deadline else {
                throw OmnigageError.waitTimedOut(importID: id, lastStatus: current.status, seconds: Int(timeout.components.seconds))
            }
            let remaining = deadline - now
            try await Task.sleep(for: min(delay, remaining))
            delay = min(delay * 2, maxInterval)
        }
    }

    /// `GET /import-contacts/{id}/results`: the per-row results document as returned.
    public func results(_ id: String) async throws -> JSONValue {
        try await call("GET", "/import-contacts/\(Self.escape(id))/results")
    }

    // MARK: Helpers

    /// Turns `{ [target_field] = source_column }` into Omnigage's header-aligned array (`nil` for
    /// unmapped columns). Throws when a mapped column is not in the header.
    public static func mappingArray(header: [String], mapping: [String: String]) throws(OmnigageError) -> [String?] {
        var result = [String?](repeating: nil, count: header.count)
        for (field, column) in mapping.sorted(by: { $0.key < $1.key }) {
            guard let index = header.firstIndex(of: column) else {
                throw .invalidRequest("mapping \(field) = \"\(column)\": the file has no column \"\(column)\" (columns: \(header.joined(separator: ", ")))")
            }
            if let existing = result[index], existing != field {
                throw .invalidRequest("column \"\(column)\" is mapped twice (\(existing) and \(field))")
            }
            result[index] = field
        }
        return result
    }

    static func form(from record: OmnigageRecord) throws -> S3PostForm {
        let attributes = record.attributes
        guard let url = attributes["request-url"]?.stringValue else {
            throw OmnigageError.unexpectedResponse(method: "POST", path: "/uploads", status: 201, reason: "the upload has no request-url")
        }
        func pairs(_ name: String) -> [(String, String)] {
            // A list of one-field objects (Omnigage's shape) or one object of fields.
            let items = attributes[name]?.arrayValue ?? attributes[name].map { [$0] } ?? []
            return items.flatMap { item -> [(String, String)] in
                (item.objectValue ?? [:]).sorted { $0.key < $1.key }.map { key, value in
                    (key, value.stringValue ?? value.intValue.map(String.init) ?? value.description)
                }
            }
        }
        let expiry = attributes["expires-at"]?.stringValue.flatMap(Self.parseDate)
        return S3PostForm(url: url, method: attributes["request-method"]?.stringValue ?? "post",
                          fields: pairs("request-form-data"), headers: pairs("request-headers"),
                          expiresAt: expiry, maxLength: attributes["max-length-in-bytes"]?.intValue)
    }

    /// The S3 form of an upload as a script holds it (`request_url`, `request_form_data`, ... or a bare
    /// pre-signed POST `{ url, fields }`), read by the same rules as an upload Omnigage returned.
    public static func form(scriptUpload fields: [String: JSONValue]) throws -> S3PostForm {
        var attributes: [String: JSONValue] = [:]
        for (key, value) in fields { attributes[key.replacingOccurrences(of: "_", with: "-")] = value }
        if attributes["request-url"] == nil { attributes["request-url"] = attributes["url"] }
        if attributes["request-form-data"] == nil { attributes["request-form-data"] = attributes["fields"] }
        do { return try form(from: OmnigageRecord(type: "uploads", id: fields["id"]?.stringValue ?? "", attributes: attributes)) } catch {
            throw OmnigageError.invalidRequest("the upload has no request_url: pass what create_upload returned, or { url = ..., fields = {...} }")
        }
    }

    /// Parses `expires-at` (RFC 1123) and ISO 8601 timestamps.
    static func parseDate(_ text: String) -> Date? {
        if let date = HTTPDate.parse(text) { return date }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = iso.date(from: text) { return date }
        iso.formatOptions = [.withInternetDateTime]
        return iso.date(from: text)
    }

    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }

    private func call(_ method: String, _ path: String, body: JSONValue? = nil,
                      safety: RetrySafety = .idempotent) async throws -> JSONValue {
        var headers: [(String, String)] = [
            ("Authorization", configuration.credentials.authorizationHeader),
            ("X-Account-Key", configuration.accountKey),
            ("Accept", "application/json"),
        ]
        var payload = TransportBody.none
        if let body {
            headers.append(("Content-Type", "application/json; charset=utf-8"))
            payload = .bytes(body.encoded())
        }
        let request = TransportRequest(method: method, url: configuration.baseURL + path, headers: headers, body: payload, safety: safety)
        let response = try await transport.send(request)
        guard response.isSuccess else {
            throw OmnigageError.api(method: method, path: path, status: response.status,
                                    details: OmnigageError.details(from: response.body),
                                    body: Redactor.standard.redact(text: String(response.text.prefix(2000))))
        }
        if response.body.isEmpty { return .null }
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw OmnigageError.unexpectedResponse(method: method, path: path, status: response.status, reason: "the body is not JSON")
        }
    }
}
