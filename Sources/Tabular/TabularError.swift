#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Errors that stop a whole file; each carries the path and the facts needed to fix it.

/// Errors that stop reading or writing a whole file (single bad records are `RejectedRecord`s).
public enum TabularError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The format is known but this operation is not offered for it.
    case unsupported(path: String, detail: String)
    /// The file could not be opened, read or created.
    case io(path: String, operation: String, errno: Int32)
    /// Neither the content nor the extension says what the file is.
    case unknownFormat(path: String)
    /// An encrypted (password-protected) workbook, or a file that is not an Excel 5.0-2003 workbook (no readable
    /// Workbook stream: Excel 2.x-4.0, another OLE2 document, a damaged compound file header).
    case legacyWorkbook(path: String, encrypted: Bool)
    /// The content breaks the format so that reading cannot go on.
    case malformed(path: String, line: Int?, detail: String)
    /// The requested worksheet does not exist.
    case sheetNotFound(path: String, sheet: String, available: [String])
    /// A ZIP entry that would inflate beyond the limits (a zip bomb or a damaged file).
    case zipBomb(path: String, entry: String, detail: String)
    /// A ZIP entry whose inflated bytes do not match the stored CRC-32.
    case checksumMismatch(path: String, entry: String)
    /// A writer was used out of order or given a row of the wrong width.
    case writerMisuse(path: String, row: Int?, detail: String)
    /// An option value that cannot be honoured.
    case badOption(path: String, option: String, detail: String)
    /// A value the output format or encoding cannot hold (written rows are never silently altered).
    case unwritable(path: String, row: Int, column: String, detail: String)

    public var description: String {
        switch self {
        case let .unsupported(path, detail):
            return "\(path): \(detail)"
        case let .unwritable(path, row, column, detail):
            return "\(path): row \(row), column \(column): \(detail)"
        case let .io(path, operation, code):
            return "\(path): cannot \(operation): \(Self.errnoText(code)); check that the path exists and is readable/writable"
        case let .unknownFormat(path):
            return "\(path): cannot tell the file format from its content or extension; pass format = \"csv\", \"xlsx\", \"json\" or \"xml\""
        case let .legacyWorkbook(path, encrypted):
            return encrypted
                ? "\(path): encrypted or legacy workbook (password-protected): Roster cannot decrypt it; open it in Excel, remove the password, and save it again (as XLSX, XLS or CSV)"
                : "\(path): not a workbook Roster can read: Excel 97-2003 and 5.0/95 files are, but this has no readable Workbook stream (an Excel 2.x-4.0 file, another kind of OLE2 file, or a damaged one); such XLS (BIFF) is not supported: save as XLSX or CSV"
        case let .malformed(path, line, detail):
            let at = line.map { " (line \($0))" } ?? ""
            return "\(path)\(at): \(detail)"
        case let .sheetNotFound(path, sheet, available):
            return "\(path): no worksheet \(sheet); the workbook has: \(available.map { "\"\($0)\"" }.joined(separator: ", ")); pass sheet = a name or a 1-based index"
        case let .zipBomb(path, entry, detail):
            return "\(path): refusing ZIP entry \(entry): \(detail); re-save the workbook or export it as CSV"
        case let .checksumMismatch(path, entry):
            return "\(path): ZIP entry \(entry) is corrupt (CRC-32 mismatch); re-download or re-save the file"
        case let .writerMisuse(path, row, detail):
            let at = row.map { " (row \($0))" } ?? ""
            return "\(path)\(at): \(detail)"
        case let .badOption(path, option, detail):
            return "\(path): option \(option): \(detail)"
        }
    }

    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
