import Foundation
import Tabular

/// A file stored by `POST /resources`.
public struct WhispirResource: Sendable, Equatable, Codable {
    /// Resource id, its workspace, and the name/scope/mimeType sent.
    public var id: String
    public var workspace: String
    public var name: String
    public var scope: String
    public var mimeType: String
    /// The decoded bytes on disk; the extension follows the MIME type so readers can sniff it.
    public var path: String
    /// Decoded size in bytes.
    public var size: Int
}

/// An import accepted by `POST /imports`, with what processing it did.
public struct WhispirImport: Sendable, Equatable, Codable {
    /// Import id, target workspace and the resource read.
    public var id: String
    public var workspace: String
    public var resourceID: String
    /// `replace`, `duplicate` or `ignore`.
    public var importMode: String
    /// `importOptions` (seed/Postman placement) or `top-level` (OpenAPI placement).
    public var importModePlacement: String
    /// The request's media type, e.g. `application/vnd.whispir.import-v1+json`.
    public var mediaType: String
    /// Whispir field -> column name, as sent.
    public var fieldMapping: [String: String]
    /// Rows that created, updated (replace) or were skipped as existing (ignore).
    public var created = 0
    public var updated = 0
    public var ignored = 0
    /// Rows not created, with the reason (row number, message).
    public var failed: [WhispirRowFailure] = []
    /// `Successful` or `Failed` (the activity log's words).
    public var status = "Successful"

}

/// A row an import did not create, and why.
public struct WhispirRowFailure: Sendable, Equatable, Codable {
    /// Data-record number (0 when the whole resource failed).
    public var row: Int
    public var reason: String
}

/// An activity-log entry (`GET /activities`), one per import.
public struct WhispirActivity: Sendable, Equatable, Codable {
    /// Workspace, `module` (`Contact`), `action` (`Contact Import File`) and `status` (`Successful`/`Failed`).
    public var workspace: String
    public var module: String
    public var action: String
    public var status: String
    /// What happened, in words, and when.
    public var description: String
    public var time: Date
}

/// A contact held in one Whispir workspace.
public struct WhispirContact: Sendable, Equatable, Codable {
    /// Contact id (32 upper-case hex).
    public var id: String
    /// Whispir field name (`firstName`, `workMobilePhone1`, …) to value.
    public var fields: [String: String]
}

/// Over-limit answers of the rate limiter.
enum WhispirLimit: Equatable {
    case overQPS, overQPD
}

/// Workspaces, resources, imports, contacts and the per-key rate counters of the emulated Whispir.
actor WhispirState {
    let folder: URL
    private var queriesPerSecond: Int?
    private var queriesPerDay: Int?
    private let now: @Sendable () -> Date
    let workspaces: [(id: String, name: String, number: String)] = [
        (SandboxCredentials.whispirDefaultWorkspace, "My Company", "1"),
        (SandboxCredentials.whispirSecondWorkspace, "Sandbox Project", "2"),
    ]
    private var resources: [String: WhispirResource] = [:]
    private var resourceOrder: [String] = []
    private var imports: [WhispirImport] = []
    private var activities: [WhispirActivity] = []
    private var contactsByWorkspace: [String: [WhispirContact]] = [:]
    private var recent: [String: [Date]] = [:]
    private var daily: [String: (day: Int, count: Int)] = [:]
    /// Resources and imports created since start or `resetCounters()` (restored ones are not counted; not saved).
    private var resourcesCreated = 0
    private var importsCreated = 0

    init(folder: URL, configuration: SandboxConfiguration) {
        self.folder = folder
        queriesPerSecond = configuration.whispirQueriesPerSecond
        queriesPerDay = configuration.whispirQueriesPerDay
        now = configuration.now
    }

    /// Switches the limits at run time (`nil` = off); counters are kept.
    func setLimits(perSecond: Int?, perDay: Int?) {
        queriesPerSecond = perSecond
        queriesPerDay = perDay
    }

    /// What a data folder keeps between runs.
    struct Snapshot: Codable {
        var resources: [WhispirResource]
        var imports: [WhispirImport]
        var contacts: [String: [WhispirContact]]
        var activities: [WhispirActivity]?
    }

    func snapshot() -> Snapshot {
        Snapshot(resources: allResources(), imports: imports, contacts: contactsByWorkspace, activities: activities)
    }

    func restore(_ snapshot: Snapshot) {
        resources = Dictionary(snapshot.resources.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        resourceOrder = snapshot.resources.map(\.id)
        imports = snapshot.imports
        contactsByWorkspace = snapshot.contacts
        activities = snapshot.activities ?? []
    }

    func hasWorkspace(_ id: String) -> Bool { workspaces.contains { $0.id == id } }

    /// Counts one request for `key`; answers which limit it breaks, if any (rejected requests are not counted).
    func admit(key: String) -> WhispirLimit? {
        let time = now()
        if let qpd = queriesPerDay {
            let day = Int(time.timeIntervalSince1970 / 86_400)
            let current = daily[key].flatMap { $0.day == day ? $0.count : nil } ?? 0
            if current >= qpd { return .overQPD }
        }
        if let qps = queriesPerSecond {
            let window = (recent[key] ?? []).filter { time.timeIntervalSince($0) < 1 }
            recent[key] = window
            if window.count >= qps { return .overQPS }
            recent[key, default: []].append(time)
        }
        if queriesPerDay != nil {
            let day = Int(time.timeIntervalSince1970 / 86_400)
            let current = daily[key].flatMap { $0.day == day ? $0.count : nil } ?? 0
            daily[key] = (day, current + 1)
        }
        return nil
    }

    func addResource(_ resource: WhispirResource) {
        resources[resource.id] = resource
        resourceOrder.append(resource.id)
        resourcesCreated += 1
    }

    func creationCounts() -> (resources: Int, imports: Int) { (resourcesCreated, importsCreated) }

    func resetCounters() {
        resourcesCreated = 0
        importsCreated = 0
    }

    func resource(_ id: String, workspace: String) -> WhispirResource? {
        guard let found = resources[id], found.workspace == workspace else { return nil }
        return found
    }

    /// Replaces a resource's content and description in place (PUT).
    func replaceResource(_ resource: WhispirResource) {
        if let old = resources[resource.id], old.path != resource.path { try? FileManager.default.removeItem(atPath: old.path) }
        resources[resource.id] = resource
    }

    /// Removes a resource and its file (DELETE); false if it was not there.
    func deleteResource(_ id: String, workspace: String) -> Bool {
        guard let found = resources[id], found.workspace == workspace else { return false }
        try? FileManager.default.removeItem(atPath: found.path)
        resources[id] = nil
        resourceOrder.removeAll { $0 == id }
        return true
    }

    func resources(in workspace: String) -> [WhispirResource] {
        resourceOrder.compactMap { resources[$0] }.filter { $0.workspace == workspace }
    }

    func allResources() -> [WhispirResource] { resourceOrder.compactMap { resources[$0] } }

    func allImports() -> [WhispirImport] { imports }

    func contacts(in workspace: String) -> [WhispirContact] { contactsByWorkspace[workspace] ?? [] }

    func allActivities() -> [WhispirActivity] { activities }

    private func log(_ record: WhispirImport, resource: WhispirResource) {
        let description = "Imported \(resource.name): \(record.created) created, \(record.updated) updated, "
            + "\(record.ignored) ignored, \(record.failed.count) failed (importMode \(record.importMode))"
        activities.append(WhispirActivity(workspace: record.workspace, module: "Contact", action: "Contact Import File",
                                          status: record.status, description: description, time: now()))
    }

    /// Imports every row of the resource into the workspace per `importMode` (docs/api/whispir.md §8.2, §10).
    func runImport(_ request: WhispirImport, resource: WhispirResource) -> WhispirImport {
        // Every call ends in an accepted (202) import, whether its rows were read or not.
        importsCreated += 1
        var record = request
        var contacts = contactsByWorkspace[record.workspace] ?? []
        // Match keys -> first contact holding them; a linear scan per row made large imports quadratic.
        var index: [String: Int] = [:]
        func indexKeys(of contact: WhispirContact) -> [String] {
            var keys: [String] = []
            if let email = contact.fields["workEmailAddress1"] { keys.append("e:" + email.lowercased()) }
            if let phone = contact.fields["workMobilePhone1"] { keys.append("p:" + phone) }
            return keys
        }
        for (i, contact) in contacts.enumerated() {
            for key in indexKeys(of: contact) where index[key] == nil { index[key] = i }
        }
        var columns: (header: [String], positions: [(field: String, column: Int?)])?
        do {
            try TableFile.forEach(path: resource.path, format: TableFile.format(forMimeType: resource.mimeType)) { header, event in
                switch event {
                case let .rejected(rejection):
                    record.failed.append(WhispirRowFailure(row: rejection.number, reason: rejection.reason))
                case let .record(row):
                    if columns?.header != header {
                        columns = (header, record.fieldMapping.map { ($0.key, header.firstIndex(of: $0.value)) })
                    }
                    var fields: [String: String] = [:]
                    for (field, column) in columns?.positions ?? [] {
                        // A column the file lacks yields a blank value (only possible in lenient mode).
                        if let column, column < row.values.count {
                            let value = row.values[column].trimmedSpaces()
                            if !value.isEmpty { fields[field] = value }
                        }
                    }
                    if let reason = Self.rowProblem(fields) {
                        record.failed.append(WhispirRowFailure(row: row.number, reason: reason))
                        return
                    }
                    let matchKey = fields["workEmailAddress1"].map { "e:" + $0.lowercased() } ?? fields["workMobilePhone1"].map { "p:" + $0 }
                    let existing = matchKey.flatMap { index[$0] }
                    switch (record.importMode, existing) {
                    case let ("replace", position?):
                        contacts[position].fields.merge(fields) { _, new in new }
                        for key in indexKeys(of: contacts[position]) where index[key] == nil { index[key] = position }
                        record.updated += 1
                    case ("ignore", .some):
                        record.ignored += 1
                    default:
                        contacts.append(WhispirContact(id: Identifiers.hex(32, uppercase: true), fields: fields))
                        for key in indexKeys(of: contacts[contacts.count - 1]) where index[key] == nil { index[key] = contacts.count - 1 }
                        record.created += 1
                    }
                }
            }
        } catch {
            record.status = "Failed"
            record.failed.append(WhispirRowFailure(row: 0, reason: "The resource could not be read: \(error)"))
            imports.append(record)
            log(record, resource: resource)
            return record
        }
        contactsByWorkspace[record.workspace] = contacts
        imports.append(record)
        log(record, resource: resource)
        return record
    }

    /// The per-row minimum: names, one way to reach the contact, country and time zone.
    static func rowProblem(_ fields: [String: String]) -> String? {
        for required in ["firstName", "lastName", "workCountry", "timezone"] where fields[required] == nil {
            return "\(required) is required"
        }
        let reachable = ["personalEmailAddress1", "workEmailAddress1", "workMobilePhone1", "personalMobilePhone1"]
        if !reachable.contains(where: { fields[$0] != nil }) {
            return "one of \(reachable.joined(separator: ", ")) is required"
        }
        return nil
    }
}
