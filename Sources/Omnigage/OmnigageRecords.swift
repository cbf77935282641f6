import Foundation
import Transport

/// A JSON:API resource as Omnigage returns it: type, id, kebab-case attributes and relationships.
public struct OmnigageRecord: Sendable, Equatable {
    /// Resource type (`uploads`, `import-contacts`).
    public var type: String
    /// Opaque id.
    public var id: String
    /// Attributes by their vendor names (`count-created`).
    public var attributes: [String: JSONValue]
    /// Relationships by their vendor names.
    public var relationships: [String: JSONValue]

    /// Creates a record.
    public init(type: String, id: String, attributes: [String: JSONValue] = [:], relationships: [String: JSONValue] = [:]) {
        self.type = type
        self.id = id
        self.attributes = attributes
        self.relationships = relationships
    }

    /// Reads `{"data": {...}}`; nil when the document lacks `data.id`.
    public init?(document: JSONValue) {
        guard let data = document["data"], let id = data["id"]?.stringValue ?? data["id"]?.intValue.map(String.init) else { return nil }
        self.init(type: data["type"]?.stringValue ?? "", id: id, attributes: data["attributes"]?.objectValue ?? [:],
                  relationships: data["relationships"]?.objectValue ?? [:])
    }

    /// The `status` attribute.
    public var status: String? { attributes["status"]?.stringValue }

    /// The attributes as the Lua API shows them: `-` turned to `_`, plus `id`, `type` and `status`.
    public var luaFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for (key, value) in attributes {
            fields[JSONValue.luaKey(key)] = value.withLuaKeys()
        }
        fields["id"] = .string(id)
        fields["type"] = .string(type)
        if let status { fields["status"] = .string(status) }
        return fields
    }
}

/// A created upload: its id (the link to the import) and the S3 form to send the file with.
public struct OmnigageUpload: Sendable {
    /// The upload's id, referenced by the import.
    public var id: String
    /// File name given at creation; the file part is sent under this name.
    public var name: String
    /// MIME type given at creation.
    public var type: String
    /// Size given at creation.
    public var size: Int64
    /// The pre-signed S3 POST form.
    public var form: S3PostForm
    /// The full record as returned.
    public var record: OmnigageRecord

    /// The S3 key prefix-template (`uploads/<hex>/${filename}`) from the form.
    public var keyTemplate: String? { form.field("key") }
}

/// What ``OmnigageClient/upload(_:path:contentType:progress:)`` did: the upload actually used
/// (a fresh one when the first form had expired) and S3's answer.
public struct OmnigageUploadReceipt: Sendable {
    /// The upload whose form stored the file; reference this id in the import.
    public var upload: OmnigageUpload
    /// S3's answer, including the stored key.
    public var s3: S3UploadResult
    /// Ids of uploads abandoned because their form expired.
    public var replacedUploadIDs: [String]

    /// The id to reference in the import.
    public var uploadID: String { upload.id }
    /// The stored object's key.
    public var key: String? { s3.key }
}

/// Options of `POST /import-contacts`; nil members are not sent.
public struct OmnigageImportOptions: Sendable, Equatable {
    /// The upload holding the file.
    public var uploadID: String
    /// `status` sent on create; `queued` starts at once.
    public var status: String
    /// `unique-primary-phone`.
    public var uniquePrimaryPhone: Bool?
    /// `unique-primary-email`.
    public var uniquePrimaryEmail: Bool?
    /// `update-pruning`.
    public var updatePruning: Bool?
    /// `enable-preflights`.
    public var enablePreflights: Bool?
    /// Header-aligned contact fields (`null` for an unmapped column); see ``OmnigageClient/mappingArray(header:mapping:)``.
    public var mapping: [String?]?
    /// Target list id (relationship `list`, type `lists`).
    public var listID: String?

    /// Creates options.
    public init(uploadID: String, status: String = "queued", uniquePrimaryPhone: Bool? = nil, uniquePrimaryEmail: Bool? = nil,
                updatePruning: Bool? = nil, enablePreflights: Bool? = nil, mapping: [String?]? = nil, listID: String? = nil) {
        self.uploadID = uploadID
        self.status = status
        self.uniquePrimaryPhone = uniquePrimaryPhone
        self.uniquePrimaryEmail = uniquePrimaryEmail
        self.updatePruning = updatePruning
        self.enablePreflights = enablePreflights
        self.mapping = mapping
        self.listID = listID
    }

    /// The JSON:API document sent.
    public var document: JSONValue {
        var attributes: [String: JSONValue] = ["status": .string(status)]
        if let uniquePrimaryPhone { attributes["unique-primary-phone"] = .bool(uniquePrimaryPhone) }
        if let uniquePrimaryEmail { attributes["unique-primary-email"] = .bool(uniquePrimaryEmail) }
        if let updatePruning { attributes["update-pruning"] = .bool(updatePruning) }
        if let enablePreflights { attributes["enable-preflights"] = .bool(enablePreflights) }
        if let mapping { attributes["mapping"] = .array(mapping.map { $0.map(JSONValue.string) ?? .null }) }
        var relationships: [String: JSONValue] = [
            "upload": .object(["data": .object(["type": .string("uploads"), "id": .string(uploadID)])]),
        ]
        if let listID {
            relationships["list"] = .object(["data": .object(["type": .string("lists"), "id": .string(listID)])])
        }
        return .object(["data": .object([
            "type": .string("import-contacts"), "attributes": .object(attributes), "relationships": .object(relationships),
        ])])
    }
}

/// An import-contacts resource.
public struct OmnigageImport: Sendable, Equatable {
    /// States in which an import is still moving.
    public static let pendingStates: Set<String> = ["queued", "pending", "scheduled", "in-progress", "processing"]

    /// The record as returned.
    public var record: OmnigageRecord

    /// The import's id.
    public var id: String { record.id }
    /// Its status (`queued`, `completed`, ...).
    public var status: String? { record.status }
    /// Whether the status is final (anything but the pending states).
    public var isFinal: Bool { status.map { !Self.pendingStates.contains($0.lowercased()) } ?? false }
    /// Whether it completed.
    public var isCompleted: Bool { status?.lowercased() == "completed" }
    /// A `count-*` attribute (`count(.created)` reads `count-created`).
    public func count(_ name: String) -> Int64? { record.attributes["count-\(name)"]?.intValue }
    /// Column titles the server read.
    public var header: [String] { record.attributes["header"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// Id of the errors file, when one was produced.
    public var errorsFileID: String? { record.relationships["errors-file"]?["data"]?["id"]?.stringValue }
}
