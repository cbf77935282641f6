/// Entry points: open any supported file for reading, or create a writer for a format.
public enum Tables {
    /// Opens `path`, sniffing format, encoding and delimiter unless `options` names them.
    public static func open(path: String, options: ReadOptions = ReadOptions()) throws -> any TableReader {
        throw TabularError.unsupported(path: path, detail: "readers are not built yet")
    }

    /// Creates a writer for `format` at `path` (truncating it).
    public static func writer(path: String, format: TableFormat) throws -> any TableWriter {
        throw TabularError.unsupported(path: path, detail: "writers are not built yet")
    }
}

/// Errors that stop reading or writing a whole file (single bad records are `RejectedRecord`s).
public enum TabularError: Error, Sendable, Equatable {
    case unsupported(path: String, detail: String)
}
