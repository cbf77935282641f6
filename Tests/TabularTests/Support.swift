import Foundation
import Tabular

/// A fresh temporary directory per test, removed when the test lets go of it.
final class Scratch: Sendable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tabular-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }
}

/// Reads every event of a reader.
func readAll(_ reader: any TableReader) throws -> [ReadEvent] {
    var events: [ReadEvent] = []
    while let event = try reader.next() { events.append(event) }
    return events
}

func records(_ events: [ReadEvent]) -> [[String]] {
    events.compactMap { if case let .record(r) = $0 { return r.values } else { return nil } }
}

func rejections(_ events: [ReadEvent]) -> [RejectedRecord] {
    events.compactMap { if case let .rejected(r) = $0 { return r } else { return nil } }
}

let seedCSV = """
firstName,lastName,workEmailAddress1,workMobilePhone1,workCountry,timezone
John,Smith,john.smith@testcompany.com,61423456789,Australia,+10
Jane,Smith,jane.smith@testcompany,com,61498765432,Australia,+10

"""
