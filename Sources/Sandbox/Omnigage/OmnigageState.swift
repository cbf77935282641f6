import Foundation
import Tabular

/// An upload form handed out by `POST /uploads`.
public struct OmnigageUpload: Sendable, Equatable, Codable {
    /// Upload id and the name, MIME type and size the client declared.
    public var id: String
    public var name: String
    public var type: String
    public var size: Int64
    /// `uploads/<32 hex>/`: the object's key starts with it.
    public var keyPrefix: String
    /// Creation time and the policy's expiry (`expires-at`).
    public var createdAt: Date
    public var expiresAt: Date
}

/// An import as the emulated Omnigage holds it.
public struct OmnigageImport: Sendable, Equatable, Codable {
    /// Import id and the upload it reads.
    public var id: String
    public var uploadID: String
    /// `pending`, `queued`, `in-progress`, `completed` or `failed`.
    public var status: String
    /// The request's flags (`unique-primary-phone`, `unique-primary-email`, `update-pruning`, `enable-preflights`).
    public var uniquePrimaryPhone: Bool
    public var uniquePrimaryEmail: Bool
    public var updatePruning: Bool
    public var enablePreflights: Bool
    /// Column titles, the field each column feeds (`nil` = skipped) and the first data row.
    public var header: [String]
    public var mapping: [String?]
    public var sample: [String]
    /// Row counts, filled when the import completes.
    public var countCreated = 0
    public var countUpdated = 0
    public var countErred = 0
    /// Target list, timestamps, and the `original-file` / `errors-file` ids.
    public var listID: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var originalFileID: String
    public var errorsFileID: String?
    /// Why the import failed, when `status == "failed"`.
    public var failure: String?
    /// One result per data row, in file order.
    public var results: [OmnigageRowResult] = []
    /// The stored object the import reads.
    public var objectPath: String
    /// The `Content-Type` the object was uploaded with.
    public var objectContentType: String?
    /// When the import entered `queued` (time-based steps count from here).
    public var queuedAt: Date?
    var polls = 0

    /// `count-total`: created + updated + erred.
    public var countTotal: Int { countCreated + countUpdated + countErred }
}

/// A file resource (`original-file`, `errors-file`).
struct OmnigageFile: Sendable, Codable {
    var id: String
    var path: String
    var contentType: String
    var size: Int64
}

/// Uploads, imports, files and contacts of the one sandbox account.
actor OmnigageState {
    private var uploads: [String: OmnigageUpload] = [:]
    private var imports: [String: OmnigageImport] = [:]
    private var importOrder: [String] = []
    private var files: [String: OmnigageFile] = [:]
    private var book = OmnigageContactBook()
    private let pollsPerStep: Int
    private let secondsPerStep: TimeInterval?
    private let folder: URL
    /// Uploads and imports created since start or `resetCounters()` (restored ones are not counted; not saved).
    private var uploadsCreated = 0
    private var importsCreated = 0
    private var rowsImported = 0

    init(pollsPerStep: Int, secondsPerStep: TimeInterval?, folder: URL) {
        self.pollsPerStep = max(1, pollsPerStep)
        self.secondsPerStep = secondsPerStep.map { max(0.001, $0) }
        self.folder = folder
    }

    /// What a data folder keeps between runs.
    struct Snapshot: Codable {
        var uploads: [OmnigageUpload]
        var imports: [OmnigageImport]
        var files: [OmnigageFile]
        var contacts: [OmnigageContact]
    }

    func snapshot() -> Snapshot {
        Snapshot(uploads: uploads.values.sorted { $0.createdAt < $1.createdAt }, imports: allImports(),
                 files: files.values.sorted { $0.id < $1.id }, contacts: book.contacts)
    }

    func restore(_ snapshot: Snapshot) {
        uploads = Dictionary(snapshot.uploads.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        imports = Dictionary(snapshot.imports.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        importOrder = snapshot.imports.map(\.id)
        files = Dictionary(snapshot.files.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        book = OmnigageContactBook(contacts: snapshot.contacts)
    }

    func addUpload(_ upload: OmnigageUpload) {
        uploads[upload.id] = upload
        uploadsCreated += 1
    }

    func upload(_ id: String) -> OmnigageUpload? { uploads[id] }

    func addImport(_ record: OmnigageImport) {
        imports[record.id] = record
        importOrder.append(record.id)
        importsCreated += 1
        files[record.originalFileID] = OmnigageFile(id: record.originalFileID, path: record.objectPath,
                                                    contentType: record.objectContentType ?? "application/octet-stream",
                                                    size: Self.fileSize(record.objectPath))
    }

    func creationCounts() -> (uploads: Int, imports: Int, rows: Int, contacts: Int) {
        (uploadsCreated, importsCreated, rowsImported, book.contacts.count)
    }

    func resetCounters() {
        uploadsCreated = 0
        importsCreated = 0
        rowsImported = 0
    }

    func importRecord(_ id: String) -> OmnigageImport? { imports[id] }

    func allImports() -> [OmnigageImport] { importOrder.compactMap { imports[$0] } }

    func contacts() -> [OmnigageContact] { book.contacts }

    func file(_ id: String) -> OmnigageFile? { files[id] }

    /// Applies a PATCH: new mapping and/or status (`pending` -> `queued`).
    func update(_ id: String, mapping: [String?]?, status: String?, now: Date) -> OmnigageImport? {
        guard var record = imports[id] else { return nil }
        if let mapping { record.mapping = mapping }
        if let status, record.status == "pending" || status == record.status {
            if status == "queued", record.status == "pending" { record.queuedAt = now }
            record.status = status
        }
        record.updatedAt = now
        imports[id] = record
        return record
    }

    /// A GET moves the import on one step every `pollsPerStep` polls (or once `secondsPerStep` have
    /// passed per step since creation); completion runs the rows.
    func poll(_ id: String, now: Date) -> OmnigageImport? {
        guard var record = imports[id] else { return nil }
        guard record.status == "queued" || record.status == "in-progress" else { return record }
        record.polls += 1
        var steps = record.polls >= pollsPerStep ? 1 : 0
        if let secondsPerStep {
            let due = Int(now.timeIntervalSince(record.queuedAt ?? record.createdAt) / secondsPerStep)
            let done = record.status == "queued" ? 0 : 1
            steps = max(steps, due - done)
        }
        if steps > 0 { record.polls = 0 }
        while steps > 0, record.status == "queued" || record.status == "in-progress" {
            if record.status == "queued" {
                record.status = "in-progress"
            } else {
                run(&record)
            }
            record.updatedAt = now
            steps -= 1
        }
        imports[id] = record
        return record
    }

    /// Reads every row through Tabular and applies the unique-primary rules.
    private func run(_ record: inout OmnigageImport) {
        var results: [OmnigageRowResult] = []
        var erredRows: [[String]] = []
        var scratch = book
        do {
            let mapping = record.mapping
            let uniquePhone = record.uniquePrimaryPhone
            let uniqueEmail = record.uniquePrimaryEmail
            try TableFile.forEach(path: record.objectPath, format: TableFile.format(forPath: record.objectPath)) { _, event in
                switch event {
                case let .record(row):
                    let (outcome, contactID, message) = scratch.apply(values: row.values, mapping: mapping, uniquePhone: uniquePhone,
                                                                     uniqueEmail: uniqueEmail, newID: Identifiers.omnigage)
                    results.append(OmnigageRowResult(row: row.number, line: row.line, outcome: outcome, contactID: contactID, message: message))
                    if outcome == .erred { erredRows.append(row.values + [message ?? ""]) }
                case let .rejected(rejection):
                    results.append(OmnigageRowResult(row: rejection.number, line: rejection.line, outcome: .erred, contactID: nil,
                                                     message: rejection.reason))
                    erredRows.append(rejection.values + [rejection.reason])
                }
            }
        } catch {
            record.status = "failed"
            record.failure = "The uploaded file could not be read: \(error)"
            return
        }
        book = scratch
        rowsImported += results.count
        record.results = results
        record.countCreated = results.filter { $0.outcome == .created }.count
        record.countUpdated = results.filter { $0.outcome == .updated }.count
        record.countErred = results.filter { $0.outcome == .erred }.count
        record.status = "completed"
        if record.countErred > 0, let file = writeErrorsFile(header: record.header + ["error"], rows: erredRows) {
            files[file.id] = file
            record.errorsFileID = file.id
        }
    }

    /// The erred rows as CSV (original columns plus `error`); the sandbox's own output, not a parse.
    private func writeErrorsFile(header: [String], rows: [[String]]) -> OmnigageFile? {
        func quote(_ cell: String) -> String {
            var safe = cell
            // A spreadsheet would run these as formulas.
            if let first = safe.first, "=+-@".contains(first) { safe = "'" + safe }
            if safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return safe
        }
        var text = header.map(quote).joined(separator: ",") + "\r\n"
        for row in rows { text += row.map(quote).joined(separator: ",") + "\r\n" }
        let id = Identifiers.omnigage()
        let path = folder.appendingPathComponent("errors-\(id).csv").path
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { return nil }
        return OmnigageFile(id: id, path: path, contentType: "text/csv", size: Int64(text.utf8.count))
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
