/// Entry points: open any supported file for reading, or create a writer for a format.
public enum Tables {
    /// Opens `path`, sniffing format, encoding and delimiter unless `options` names them.
    public static func open(path: String, options: ReadOptions = ReadOptions()) throws -> any TableReader {
        let format = try detectFormat(path: path, options: options)
        switch format {
        case .csv: return try CSVReader(path: path, options: options)
        case .json: return try JSONReader(path: path, options: options)
        case .xml: return try XMLContactReader(path: path, options: options)
        case .xlsx: return try XLSXReader(path: path, options: options)
        case .xls: throw TabularError.legacyWorkbook(path: path, encrypted: false)
        }
    }

    /// The format `open` would use for `path`: `options.format`, else content, else extension.
    public static func detectFormat(path: String, options: ReadOptions = ReadOptions()) throws -> TableFormat {
        if let format = options.format { return format }
        let head = try FileInput(path: path).peek(count: 64 * 1024)
        return try FormatSniffer.sniff(path: path, head: head)
    }

    /// Creates a writer for `format` at `path` (truncating it).
    public static func writer(path: String, format: TableFormat) throws -> any TableWriter {
        guard [.csv, .json, .xml].contains(format) else {
            throw TabularError.unsupported(path: path, detail: "writing \(format.rawValue.uppercased()) is not supported: write CSV, JSON or XML")
        }
        return try writer(output: ByteOutput(path: path), format: format)
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
