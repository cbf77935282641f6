public final class XLSXReader: TableReader {
    public var header: [String] = []
    public var info: SourceInfo
    public init(path: String, options: ReadOptions = ReadOptions()) throws { info = SourceInfo(path: path, format: .xlsx); throw TabularError.unsupported(path: path, detail: "todo") }
    public func next() throws -> ReadEvent? { nil }
}
