import Foundation
import Tabular

/// Reads stored uploads through the Tabular contract only (`Tables.open`); no parsing of our own.
enum TableFile {
    /// The format named by the file's extension, or `nil` to let Tabular sniff it.
    static func format(forPath path: String) -> TableFormat? {
        TableFormat(rawValue: (path as NSString).pathExtension.lowercased())
    }

    /// The format named by a MIME type (Whispir resources carry one).
    static func format(forMimeType mimeType: String) -> TableFormat? {
        switch mimeType.lowercased() {
        case "text/csv": return .csv
        case "application/json": return .json
        case "application/xml", "text/xml": return .xml
        case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": return .xlsx
        default: return nil
        }
    }

    /// Header and first data record (or `nil` when the table has no data rows).
    static func headerAndSample(path: String, format: TableFormat?) throws -> (header: [String], sample: [String]?) {
        let reader = try Tables.open(path: path, options: ReadOptions(format: format))
        while let event = try reader.next() {
            if case let .record(record) = event { return (reader.header, record.values) }
        }
        return (reader.header, nil)
    }

    /// Streams every record/rejection to `body`; returns the header.
    @discardableResult
    static func forEach(path: String, format: TableFormat?, _ body: ([String], ReadEvent) throws -> Void) throws -> [String] {
        let reader = try Tables.open(path: path, options: ReadOptions(format: format))
        while let event = try reader.next() { try body(reader.header, event) }
        return reader.header
    }
}
