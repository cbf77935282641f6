import Foundation
import Logging
import Tabular
import Transport

/// A created resource: its id (for the import) and where Whispir says it lives.
public struct WhispirResource: Sendable, Equatable {
    /// Resource id (from `Location`, query stripped, or the body's `id`).
    public var id: String
    /// The name it was created under.
    public var name: String
    /// `Location` header as returned, secrets redacted.
    public var location: String?
}

/// The answer to an import request: Whispir processes it asynchronously.
public struct WhispirImportReceipt: Sendable, Equatable {
    /// HTTP status (202 expected).
    public var status: Int
    /// `Location` header as returned, secrets redacted.
    public var location: String?
    /// The import id (last path segment of `Location`), when there is one.
    public var importID: String?
    /// The resource imported.
    public var resourceID: String
}

/// `importMode` values.
public enum WhispirImportMode: String, Sendable, CaseIterable {
    /// Update a matching contact, create otherwise.
    case replace
    /// Always create a contact.
    case duplicate
    /// Leave a matching contact untouched, create otherwise.
    case ignore
}

/// One part of a split CSV: which rows went where.
public struct WhispirImportPart: Sendable, Equatable {
    /// 1-based part number.
    public var index: Int
    /// Data rows in this part.
    public var rowCount: Int
    /// 1-based number of the first data row of this part within the whole file.
    public var firstRow: Int
    /// CSV bytes of the part (header included).
    public var csvBytes: Int
    /// Bytes of the resource request body (base64 content and JSON wrapper).
    public var requestBytes: Int
    /// The resource created.
    public var resource: WhispirResource
    /// The import started.
    public var receipt: WhispirImportReceipt
}

/// Everything ``WhispirClient/importCSV(_:name:importMode:fieldMapping:customFields:workspace:skipParts:onPart:)`` did.
public struct WhispirCSVImportReport: Sendable, Equatable {
    /// One entry per part, in order.
    public var parts: [WhispirImportPart]
    /// Data rows sent in total (skipped parts not counted).
    public var rows: Int
    /// Mapping warnings (values that do not look like their field).
    public var warnings: [String]
    /// Part numbers not sent because the caller said they were already imported.
    public var skippedParts: [Int]
    /// Parts the file was split into.
    public var totalParts: Int
}

/// A planned part of a split CSV (before anything is sent).
public struct WhispirCSVPart: Sendable, Equatable {
    /// The part's CSV bytes (header first).
    public var csv: [UInt8]
    /// Data rows in it.
    public var rowCount: Int
    /// 1-based number of its first data row.
    public var firstRow: Int
    /// Size of the resource request body it will make.
    public var requestBytes: Int
    /// The resource name it will get.
    public var name: String
}

/// The Whispir bulk-contact API: resources (base64 files) and imports, with workspace support,
/// rate-limit handling and CSV splitting under the 10 MB request limit.
///
/// ```swift
/// let wh = WhispirClient(configuration: config, transport: transport)
/// let report = try await wh.importCSV(bytes, name: "staff.csv", importMode: .replace,
///                                     fieldMapping: ["firstName": "First", ...])
/// ```
public struct WhispirClient: Sendable {
    /// Largest request body Whispir accepts (its 413 text: 10,485,760 bytes).
    public static let requestLimit = 10_485_760
    /// MIME types allowed for private resources.
    public static let privateMimeTypes: Set<String> = ["text/csv", "application/json", "application/xml"]
    static let resourceMediaType = "application/vnd.whispir.resource-v1+json"
    /// RFC 3986 unreserved characters: the only ones left unescaped in a path segment or query value.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Credentials, base URL and wire-format options.
    public let configuration: WhispirConfiguration
    /// The run's transport.
    public let transport: HTTPTransport

    /// Creates a client over the run's transport.
    public init(configuration: WhispirConfiguration, transport: HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    // MARK: Resources

    /// `POST [/workspaces/{ws}]/resources` with `content` base64-encoded; returns the resource id.
    public func createResource(name: String, mimeType: String, content: [UInt8], scope: String = "private",
                               workspace: String? = nil) async throws -> WhispirResource {
        let safeName = Self.safeName(name)
        let body = try Self.resourceBody(name: safeName, mimeType: mimeType, content: content, scope: scope)
        guard body.count < configuration.requestLimit else {
            throw WhispirError.invalidResource("resource \(safeName) makes a \(body.count)-byte request; Whispir accepts less than \(configuration.requestLimit) bytes (use importCSV to split)")
        }
        let path = workspacePath(workspace) + "/resources"
        let response = try await send("POST", path, mediaType: Self.resourceMediaType, body: body)
        guard response.isSuccess else { throw WhispirError.from(response, method: "POST", path: path) }
        let location = response.header("Location")
        var id = location.flatMap(Self.lastSegment)
        if id == nil, let document = try? JSONValue.parse(response.body) {
            id = document["id"]?.stringValue
        }
        guard let id, !id.isEmpty else {
            throw WhispirError.unexpectedResponse(method: "POST", path: path, status: response.status, reason: "neither Location nor body has a resource id")
        }
        return WhispirResource(id: id, name: safeName, location: location.map { Redactor.standard.redact(url: $0) })
    }

    /// Reads the file at `path` and creates a resource from it (named after the file unless `name` is given).
    public func createResource(name: String? = nil, mimeType: String, path: String, scope: String = "private",
                               workspace: String? = nil) async throws -> WhispirResource {
        let content: [UInt8]
        do {
            content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch {
            throw WhispirError.invalidResource("cannot read \(path)")
        }
        return try await createResource(name: name ?? URL(fileURLWithPath: path).lastPathComponent, mimeType: mimeType,
                                        content: content, scope: scope, workspace: workspace)
    }

    // MARK: Imports

    /// `POST [/workspaces/{ws}]/imports` for a resource; answers 202 and a `Location`.
    /// The mapping is `[whispirField: column]`.
    public func createImport(resource: String, importMode: WhispirImportMode, fieldMapping: [String: String],
                             workspace: String? = nil) async throws -> WhispirImportReceipt {
        let missing = ContactFields.mandatory.filter { fieldMapping[$0] == nil }
        if !missing.isEmpty {
            throw WhispirError.invalidMapping(missing.map { "mandatory field \($0) is not mapped" })
        }
        let path = workspacePath(workspace) + "/imports"
        let body = importBody(resource: resource, importMode: importMode, fieldMapping: fieldMapping)
        let response = try await send("POST", path, mediaType: configuration.importMediaType.rawValue, body: body)
        guard response.isSuccess else { throw WhispirError.from(response, method: "POST", path: path) }
        let location = response.header("Location")
        return WhispirImportReceipt(status: response.status, location: location.map { Redactor.standard.redact(url: $0) },
                                    importID: location.flatMap(Self.lastSegment), resourceID: resource)
    }

    /// Validates the mapping against `csv`'s header, splits `csv` so every resource request stays under
    /// 10 MB (header repeated in each part, never inside a quoted field), then creates one resource and
    /// one import per part. `onPart` is told about each finished part (for the journal); parts numbered
    /// in `skipParts` (a journal's finished parts; the split is deterministic) are not sent again.
    public func importCSV(_ csv: [UInt8], name: String, importMode: WhispirImportMode, fieldMapping: [String: String],
                          customFields: Set<String> = [], workspace: String? = nil, skipParts: Set<Int> = [],
                          onPart: (@Sendable (WhispirImportPart) -> Void)? = nil) async throws -> WhispirCSVImportReport {
        let warnings = try Self.validate(csv: csv, fieldMapping: fieldMapping, customFields: customFields)
        for warning in warnings {
            transport.logger.warning("Whispir mapping: \(warning)")
        }
        let plan = try Self.planParts(csv: csv, name: name, limit: configuration.requestLimit)
        var parts: [WhispirImportPart] = []
        for (offset, planned) in plan.enumerated() where !skipParts.contains(offset + 1) {
            let resource = try await createResource(name: planned.name, mimeType: "text/csv", content: planned.csv, workspace: workspace)
            let receipt = try await createImport(resource: resource.id, importMode: importMode, fieldMapping: fieldMapping, workspace: workspace)
            let part = WhispirImportPart(index: offset + 1, rowCount: planned.rowCount, firstRow: planned.firstRow,
                                         csvBytes: planned.csv.count, requestBytes: planned.requestBytes,
                                         resource: resource, receipt: receipt)
            transport.logger.info("Whispir import part started", metadata: [
                "part": .stringConvertible(part.index), "of": .stringConvertible(plan.count),
                "rows": .stringConvertible(part.rowCount), "resource": .string(resource.id),
            ])
            onPart?(part)
            parts.append(part)
        }
        let skipped = plan.indices.filter { skipParts.contains($0 + 1) }.map { $0 + 1 }
        return WhispirCSVImportReport(parts: parts, rows: parts.reduce(0) { $0 + $1.rowCount }, warnings: warnings,
                                      skippedParts: skipped, totalParts: plan.count)
    }

    /// Reads the CSV file at `path` and runs ``importCSV(_:name:importMode:fieldMapping:customFields:workspace:skipParts:onPart:)``.
    public func importCSV(path: String, importMode: WhispirImportMode, fieldMapping: [String: String],
                          customFields: Set<String> = [], workspace: String? = nil, skipParts: Set<Int> = [],
                          onPart: (@Sendable (WhispirImportPart) -> Void)? = nil) async throws -> WhispirCSVImportReport {
        let content: [UInt8]
        do {
            content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch {
            throw WhispirError.invalidResource("cannot read \(path)")
        }
        return try await importCSV(content, name: URL(fileURLWithPath: path).lastPathComponent, importMode: importMode,
                                   fieldMapping: fieldMapping, customFields: customFields, workspace: workspace,
                                   skipParts: skipParts, onPart: onPart)
    }

    // MARK: Checks and planning (no network)

    /// Checks the mapping against the CSV header (mandatory fields, catalogue, columns) and returns
    /// warnings about values that do not look like their field, and about records that cannot be read.
    /// The CSV is read by Tabular (any delimiter and encoding it sniffs). Throws before anything is sent.
    public static func validate(csv: [UInt8], fieldMapping: [String: String], customFields: Set<String> = [],
                                sampleRows: Int = 50) throws(WhispirError) -> [String] {
        var header: [String] = []
        var rows: [[String]] = []
        var unreadable: [String] = []
        do {
            let reader = try CSVReader(bytes: csv, name: "the file", options: ReadOptions(format: .csv))
            header = reader.header
            while rows.count < sampleRows, let event = try reader.next() {
                switch event {
                case .record(let r): rows.append(r.values)
                case .rejected(let r): unreadable.append("record \(r.number) (line \(r.line)) cannot be read: \(r.reason)")
                }
            }
        } catch {
            throw .unsplittableCSV("\(error)")
        }
        guard !header.isEmpty else { throw .unsplittableCSV("the file is empty") }
        try ContactFields.check(mapping: fieldMapping, header: header, customFields: customFields)
        return ContactFields.warnings(mapping: fieldMapping, header: header, rows: rows) + unreadable
    }

    /// Splits `csv` into parts whose resource request bodies stay under `limit` bytes: Tabular reads
    /// the records (any delimiter and encoding) and writes each part as `format` (UTF-8, comma, RFC 4180
    /// CSV by default; or Whispir's JSON `{"contacts":[...]}` or XML import document), each part complete
    /// with its header; each data record lands in exactly one part. A record that cannot be read is an error.
    public static func planParts(csv: [UInt8], name: String, limit: Int = requestLimit,
                                 format: TableFormat = .csv) throws(WhispirError) -> [WhispirCSVPart] {
        do {
            return try plan(csv: csv, name: name, limit: limit, format: format)
        } catch let error as WhispirError {
            throw error
        } catch {
            throw .unsplittableCSV("\(error)")
        }
    }

    /// The MIME type of a resource in `format`.
    public static func mimeType(of format: TableFormat) -> String {
        switch format {
        case .json: return "application/json"
        case .xml: return "application/xml"
        default: return "text/csv"
        }
    }

    private static func plan(csv: [UInt8], name: String, limit: Int, format: TableFormat) throws -> [WhispirCSVPart] {
        let reader = try CSVReader(bytes: csv, name: name, options: ReadOptions(format: .csv))
        let header = reader.header
        guard !header.isEmpty else { throw WhispirError.unsplittableCSV("the file is empty") }
        var safe = safeName(name)
        if format != .csv {
            let stem = safe.lastIndex(of: ".").map { String(safe[..<$0]) } ?? safe
            safe = stem + "." + format.rawValue
        }
        let mime = mimeType(of: format)
        // Part names are fixed before packing so the wrapper's size is known; `-partNNNN` is the longest suffix.
        let wrapper = requestSize(name: partName(safe, index: 9999), csvBytes: 0, mimeType: mime)
        func fits(_ bytes: Int) -> Bool { wrapper + (bytes + 2) / 3 * 4 < limit }
        func start() throws -> (any TableWriter, ByteOutput) {
            let output = ByteOutput(memoryNamed: safe)
            let writer = try Tables.writer(output: output, format: format)
            try writer.writeHeader(header)
            return (writer, output)
        }
        // What a document needs around its rows (the closing brackets or tags), and one row's bytes in it.
        let (empty, emptyOutput) = try start()
        let opening = emptyOutput.totalBytes
        _ = try empty.finish()
        let closing = try emptyOutput.takeBytes().count - opening
        func length(of values: [String], after writer: any TableWriter) throws -> Int {
            if let csvWriter = writer as? CSVWriter { return csvWriter.encodedLength(of: values) }
            let (probe, probeOutput) = try start()
            try probe.writeRow(values)
            return probeOutput.totalBytes - opening + 1  // and a separator
        }
        var (writer, output) = try start()
        var parts: [WhispirCSVPart] = []
        var (rowCount, firstRow, record) = (0, 1, 0)
        func close() throws {
            _ = try writer.finish()
            parts.append(WhispirCSVPart(csv: try output.takeBytes(), rowCount: rowCount, firstRow: firstRow, requestBytes: 0, name: ""))
        }
        while let event = try reader.next() {
            switch event {
            case .rejected(let r):
                throw WhispirError.unsplittableCSV("record \(r.number) (line \(r.line)) cannot be read: \(r.reason)")
            case .record(let r):
                record += 1
                let bytes = try length(of: r.values, after: writer)
                if !fits(output.totalBytes + bytes + closing) {
                    guard rowCount > 0, fits(opening + bytes + closing) else {
                        throw WhispirError.unsplittableCSV("data row \(record) alone makes a request of more than \(limit) bytes")
                    }
                    try close()
                    (writer, output) = try start()
                    (rowCount, firstRow) = (0, record)
                }
                try writer.writeRow(r.values)
                rowCount += 1
            }
        }
        try close()
        let single = parts.count == 1
        for index in parts.indices {
            parts[index].name = single ? safe : partName(safe, index: index + 1)
            parts[index].requestBytes = requestSize(name: parts[index].name, csvBytes: parts[index].csv.count, mimeType: mime)
        }
        return parts
    }

    /// Resource names keep letters, digits, `-`, `_` and `.`; anything else becomes `-`.
    public static func safeName(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? name
        var result = ""
        for scalar in base.unicodeScalars {
            let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
            let next: Character = allowed ? Character(scalar) : "-"
            if next == "-", result.hasSuffix("-") { continue }
            result.append(next)
        }
        while result.contains("-.") { result = result.replacingOccurrences(of: "-.", with: ".") }
        result = result.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return result.isEmpty ? "contacts.csv" : String(result.prefix(120))
    }

    static func partName(_ name: String, index: Int) -> String {
        let suffix = "-part" + String(format: "%04d", index)
        if let dot = name.lastIndex(of: "."), dot > name.startIndex {
            return String(name[..<dot]) + suffix + String(name[dot...])
        }
        return name + suffix
    }

    /// Exact size of a resource request body for `csvBytes` bytes of content.
    static func requestSize(name: String, csvBytes: Int, mimeType: String = "text/csv", scope: String = "private") -> Int {
        let wrapper = JSONValue.object([
            "name": .string(name), "scope": .string(scope), "mimeType": .string(mimeType), "derefUri": .string(""),
        ]).encoded().count
        return wrapper + (csvBytes + 2) / 3 * 4
    }

    static func resourceBody(name: String, mimeType: String, content: [UInt8], scope: String) throws(WhispirError) -> [UInt8] {
        guard scope == "public" || scope == "private" else { throw .invalidResource("resource scope must be private or public, not '\(scope)'") }
        if scope == "private", !privateMimeTypes.contains(mimeType) {
            throw .invalidResource("a private Whispir resource must be text/csv, application/json or application/xml, not '\(mimeType)'")
        }
        guard !content.isEmpty else { throw .invalidResource("resource \(name) is empty") }
        return JSONValue.object([
            "name": .string(name), "scope": .string(scope), "mimeType": .string(mimeType),
            "derefUri": .string(Data(content).base64EncodedString()),
        ]).encoded()
    }

    func importBody(resource: String, importMode: WhispirImportMode, fieldMapping: [String: String]) -> [UInt8] {
        var options: [String: JSONValue] = ["fieldMapping": .object(fieldMapping.mapValues { .string($0) })]
        var document: [String: JSONValue] = ["resourceId": .string(resource), "importType": .string("contact")]
        switch configuration.importModePlacement {
        case .insideImportOptions: options["importMode"] = .string(importMode.rawValue)
        case .topLevel: document["importMode"] = .string(importMode.rawValue)
        }
        document["importOptions"] = .object(options)
        return JSONValue.object(document).encoded()
    }

    /// The id at the end of a `Location` URL, query and fragment stripped.
    static func lastSegment(_ location: String) -> String? {
        var text = location
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) }
        while text.hasSuffix("/") { text.removeLast() }
        guard let slash = text.lastIndex(of: "/") else { return text.isEmpty ? nil : text }
        let segment = String(text[text.index(after: slash)...])
        return segment.isEmpty ? nil : (segment.removingPercentEncoding ?? segment)
    }

    private func workspacePath(_ workspace: String?) -> String {
        guard let id = workspace ?? configuration.workspace, !id.isEmpty else { return "" }
        return "/workspaces/" + (id.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? id)
    }

    private func send(_ method: String, _ path: String, mediaType: String, body: [UInt8]) async throws -> TransportResponse {
        var url = configuration.baseURL + path
        if configuration.sendAPIKeyInQuery {
            url += "?apikey=" + (configuration.apiKey.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "")
        }
        let request = TransportRequest(
            method: method, url: url,
            headers: [
                ("Authorization", configuration.credentials.authorizationHeader),
                ("x-api-key", configuration.apiKey),
                ("Content-Type", mediaType),
                ("Accept", mediaType),
            ],
            body: .bytes(body), safety: .createsResource, retry: configuration.retry,
            classifier: Self.classify
        )
        return try await transport.send(request)
    }

    /// 429 and 403 `…OVER_QPS` are waited out; 403 `…OVER_QPD` is final; 502/503/504 are transient.
    static let classify: ResponseClassifier = { response in
        if response.status == 429 { return .rateLimited(reason: "429 Too Many Requests") }
        if response.status == 403, let code = response.header("X-Error-Code"), code.uppercased().hasSuffix("OVER_QPS") {
            return .rateLimited(reason: code)
        }
        return standardResponseClassifier(response)
    }
}
