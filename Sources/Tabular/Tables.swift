/// Entry points: open any supported file for reading, or create a writer for a format.
///
///     let reader = try Tables.open(path: "contacts.xlsx", options: ReadOptions(sheet: .name("Export")))
///     let writer = try Tables.writer(path: "clean.csv", format: Tables.writeFormat(forPath: "clean.csv") ?? .csv)
///     let summary = try TableCopy.copy(from: reader, to: writer) { rejected in ... }  // CSV -> CSV copies bytes
public enum Tables {
    /// The output format a path's extension asks for (`.csv`/`.tsv`/`.txt`, `.xlsx`, `.json`, `.xml`), or nil.
    public static func writeFormat(forPath path: String) -> TableFormat? {
        switch FormatSniffer.fileExtension(path) {
        case "csv", "txt", "tsv": return .csv
        case "xlsx": return .xlsx
        case "json": return .json
        case "xml": return .xml
        default: return nil
        }
    }

    /// Opens `path`, sniffing format, encoding and delimiter unless `options` names them.
    public static func open(path: String, options: ReadOptions = ReadOptions()) throws -> any TableReader {
        let format = try detectFormat(path: path, options: options)
        if options.sheet != nil && format != .xlsx && format != .xls {
            throw TabularError.badOption(path: path, option: "sheet", detail: "this is a \(format.rawValue.uppercased()) file: sheet applies to workbooks (.xlsx, .xls)")
        }
        if format != .csv {
            for (option, set) in [("delimiter", options.delimiter != nil), ("quote", options.quote != 0x22), ("comment", options.comment != nil)] where set {
                throw TabularError.badOption(path: path, option: option, detail: "this is a \(format.rawValue.uppercased()) file: \(option) applies to delimited text (.csv, .tsv, .txt)")
            }
        }
        let reader: any TableReader
        switch format {
        case .csv: reader = try CSVReader(path: path, options: options)
        case .json: reader = try JSONReader(path: path, options: options)
        case .xml: reader = try XMLContactReader(path: path, options: options)
        case .xlsx: reader = try XLSXReader(path: path, options: options)
        case .xls: reader = try XLSReader(path: path, options: options)
        }
        guard let picks = options.columns else { return reader }
        return try ColumnSelection(reader, picks: picks)
    }

    /// The format `open` would use for `path`: `options.format`, else content, else extension.
    public static func detectFormat(path: String, options: ReadOptions = ReadOptions()) throws -> TableFormat {
        if let format = options.format { return format }
        let head = try FileInput(path: path).peek(count: 64 * 1024)
        return try FormatSniffer.sniff(path: path, head: head)
    }

    /// Creates a writer for `format` at `path` (truncating it), laid out as `options` say.
    public static func writer(path: String, format: TableFormat, options: WriteOptions = WriteOptions()) throws -> any TableWriter {
        switch format {
        case .csv: return CSVWriter(output: try ByteOutput(path: path), options: options)
        case .xlsx: return try XLSXWriter(path: path, options: options)
        case .json, .xml: return try writer(output: ByteOutput(path: path), format: format)
        case .xls:
            throw TabularError.unsupported(path: path, detail: "writing XLS (Excel 97-2003) is not supported: write .xlsx, .csv, .json or .xml")
        }
    }

    /// Creates a writer for `format` into `output`: a file, an open descriptor, or memory
    /// (`ByteOutput(memoryNamed:)`, then `takeBytes()`), e.g. to cut uploads into parts.
    public static func writer(output: ByteOutput, format: TableFormat) throws -> any TableWriter {
        switch format {
        case .csv: return CSVWriter(output: output)
        case .json: return JSONContactWriter(output: output)
        case .xml: return XMLContactWriter(output: output)
        case .xlsx, .xls:
            throw TabularError.unsupported(path: output.path, detail: "writing \(format.rawValue.uppercased()) is not supported: write CSV, JSON or XML")
        }
    }
}
