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
        switch format {
        case .csv: return try CSVWriter(path: path)
        case .json: return try JSONContactWriter(output: ByteOutput(path: path))
        case .xml: return try XMLContactWriter(output: ByteOutput(path: path))
        case .xlsx, .xls:
            throw TabularError.unsupported(path: path, detail: "writing \(format.rawValue.uppercased()) is not supported: write CSV, JSON or XML")
        }
    }
}
