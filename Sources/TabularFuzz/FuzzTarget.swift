// One fuzz execution: bytes become a file of one format, every reader event is checked against the
// reading contract. A crash or hang ends the process; anything else wrong is a `FuzzFailure`.
import Foundation
import Tabular
import ZIPFoundation

/// The inputs the harness knows how to build.
public enum FuzzFormat: String, CaseIterable, Sendable {
    case csv, json, xml
    /// The raw bytes of a workbook: exercises the ZIP layer.
    case xlsx
    /// A worksheet and its shared strings as XML text, zipped into a workbook per run: exercises the XML parts.
    case xlsxParts = "xlsx-parts"

    /// The reader format the input is opened as.
    var tableFormat: TableFormat {
        switch self {
        case .csv: return .csv
        case .json: return .json
        case .xml: return .xml
        case .xlsx, .xlsxParts: return .xlsx
        }
    }
}

/// What reading one input gave.
public struct FuzzOutcome: Sendable, Equatable {
    public var records = 0
    public var rejected = 0
    /// The typed error that stopped reading, if any.
    public var error: String?
}

/// A broken contract: the input and what went wrong.
public struct FuzzFailure: Error, Sendable, CustomStringConvertible {
    public var format: FuzzFormat
    public var input: [UInt8]
    public var detail: String
    public var description: String { "\(format.rawValue): \(detail) (input of \(input.count) bytes)" }
}

/// Runs inputs through the readers in one scratch file.
public final class FuzzTarget {
    public let format: FuzzFormat
    private let path: String
    /// Small, so that the ceilings and their recovery paths are reached by small inputs.
    public var maxFieldBytes = 4096

    /// `directory` holds the one scratch file the target rewrites per input.
    public init(format: FuzzFormat, directory: String) {
        self.format = format
        path = directory + "/input." + (format == .xlsxParts ? "xlsx" : format.rawValue)
    }

    /// Reads `input` to the end; throws `FuzzFailure` when the reader breaks its contract.
    @discardableResult
    public func run(_ input: [UInt8]) throws -> FuzzOutcome {
        try write(input)
        var options = ReadOptions(format: format.tableFormat)
        options.maxFieldBytes = maxFieldBytes
        var outcome = FuzzOutcome()
        do {
            let reader = try Tables.open(path: path, options: options)
            let width = reader.header.count
            var expected = 1
            var events = 0
            // Deflate expands at most about 1032:1; text formats need a byte or more per event.
            let eventLimit = input.count * (format == .xlsx ? 1100 : 4) + 16
            while let event = try reader.next() {
                events += 1
                // A reader that keeps producing events from a small input is looping.
                if events > eventLimit { throw fail(input, "more than \(events) events from \(input.count) bytes: the reader loops") }
                switch event {
                case let .record(record):
                    if record.values.count != width { throw fail(input, "record \(record.number) has \(record.values.count) values, the header \(width)") }
                    if record.number != expected { throw fail(input, "record number \(record.number), expected \(expected): a record was lost or counted twice") }
                    if record.line < 1 { throw fail(input, "record \(record.number) at line \(record.line)") }
                    outcome.records += 1
                case let .rejected(rejected):
                    if rejected.number != expected { throw fail(input, "rejected number \(rejected.number), expected \(expected)") }
                    if rejected.reason.isEmpty { throw fail(input, "rejection \(rejected.number) has no reason") }
                    outcome.rejected += 1
                }
                expected += 1
            }
            if Set(reader.header).count != width { throw fail(input, "the header has duplicate names: \(reader.header.prefix(8))") }
        } catch let failure as FuzzFailure {
            throw failure
        } catch let error as TabularError {
            if error.description.isEmpty { throw fail(input, "an error without a message") }
            outcome.error = error.description
        } catch {
            throw fail(input, "an untyped error escaped the reader: \(type(of: error)): \(error)")
        }
        return outcome
    }

    private func fail(_ input: [UInt8], _ detail: String) -> FuzzFailure {
        FuzzFailure(format: format, input: input, detail: detail)
    }

    private func write(_ input: [UInt8]) throws {
        if format == .xlsxParts {
            try FuzzWorkbook.write(parts: input, to: path)
        } else {
            try Data(input).write(to: URL(fileURLWithPath: path))
        }
    }
}

/// Builds a workbook around fuzzed parts: the input is the worksheet XML, then optionally
/// `\n--shared--\n` and the shared strings part.
public enum FuzzWorkbook {
    static let separator = Array("\n--shared--\n".utf8)

    public static func write(parts input: [UInt8], to path: String) throws {
        var sheet = input
        var shared: [UInt8]?
        if let at = find(separator, in: input) {
            sheet = Array(input[..<at])
            shared = Array(input[(at + separator.count)...])
        }
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        var parts: [(String, Data)] = [
            ("xl/workbook.xml", Data(#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#.utf8)),
            ("xl/_rels/workbook.xml.rels", Data(#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.utf8)),
            ("xl/worksheets/sheet1.xml", Data(sheet)),
        ]
        if let shared { parts.append(("xl/sharedStrings.xml", Data(shared))) }
        for (name, data) in parts {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none) { position, size in
                data.subdata(in: Int(position) ..< Int(position) + size)
            }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, Array(haystack[i ..< i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }
}
