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
    /// The raw bytes of a legacy workbook: exercises the compound file layer.
    case xls
    /// A Workbook stream of BIFF records, put in a compound file per run: exercises the record parsers.
    case xlsBIFF = "xls-biff"

    /// The reader format the input is opened as.
    var tableFormat: TableFormat {
        switch self {
        case .csv: return .csv
        case .json: return .json
        case .xml: return .xml
        case .xlsx, .xlsxParts: return .xlsx
        case .xls, .xlsBIFF: return .xls
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
        path = directory + "/input." + (format == .xlsxParts ? "xlsx" : (format == .xlsBIFF ? "xls" : format.rawValue))
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
        } else if format == .xlsBIFF {
            try Data(FuzzCompoundFile.wrap(workbook: input)).write(to: URL(fileURLWithPath: path))
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

/// Puts a Workbook stream in a version 3 compound file ([MS-CFB]): the stream padded to 4096 bytes (so it is read
/// through the FAT, as Excel stores it), then the directory and the FAT, with the header listing the FAT.
public enum FuzzCompoundFile {
    public static func wrap(workbook input: [UInt8]) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0 ..< 4).map { UInt8(v >> (8 * UInt32($0)) & 0xFF) } }
        let stream = input + [UInt8](repeating: 0, count: max(0, 4096 - input.count))
        let streamSectors = (stream.count + 511) / 512
        let directorySector = streamSectors
        var fatSectors = 1
        while streamSectors + 1 + fatSectors > fatSectors * 128 { fatSectors += 1 }
        var fat: [UInt32] = (0 ..< streamSectors).map { $0 == streamSectors - 1 ? 0xFFFF_FFFE : UInt32($0 + 1) }
        fat.append(0xFFFF_FFFE) // the directory
        fat += [UInt32](repeating: 0xFFFF_FFFD, count: fatSectors)
        fat += [UInt32](repeating: 0xFFFF_FFFF, count: fatSectors * 128 - fat.count)
        func entry(_ name: String, type: UInt8, child: UInt32, start: UInt32, size: Int) -> [UInt8] {
            let units = Array(name.utf16)
            var bytes: [UInt8] = []
            for unit in units { bytes += le16(Int(unit)) }
            bytes += [UInt8](repeating: 0, count: 64 - bytes.count)
            bytes += le16((units.count + 1) * 2)
            bytes += [type, 1]
            bytes += le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + le32(child)
            bytes += [UInt8](repeating: 0, count: 36)
            bytes += le32(start) + le32(UInt32(size)) + le32(0)
            return bytes
        }
        var directory = entry("Root Entry", type: 5, child: 1, start: 0xFFFF_FFFE, size: 0)
        directory += entry("Workbook", type: 2, child: 0xFFFF_FFFF, start: 0, size: stream.count)
        directory += [UInt8](repeating: 0, count: 512 - directory.count)
        var header: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 16)
        header += le16(0x3E) + le16(3) + le16(0xFFFE) + le16(9) + le16(6)
        header += [UInt8](repeating: 0, count: 10)
        header += le32(UInt32(fatSectors)) + le32(UInt32(directorySector)) + le32(0) + le32(4096)
        header += le32(0xFFFF_FFFE) + le32(0) + le32(0xFFFF_FFFE) + le32(0)
        // More than 109 FAT sectors would need DIFAT sectors; inputs are capped far below (64 KiB).
        var listed: [UInt32] = (0 ..< min(fatSectors, 109)).map { UInt32(directorySector + 1 + $0) }
        listed += [UInt32](repeating: 0xFFFF_FFFF, count: 109 - listed.count)
        for sector in listed { header += le32(sector) }
        var fatBytes: [UInt8] = []
        for word in fat { fatBytes += le32(word) }
        let padding = [UInt8](repeating: 0, count: streamSectors * 512 - stream.count)
        return header + stream + padding + directory + fatBytes
    }
}
