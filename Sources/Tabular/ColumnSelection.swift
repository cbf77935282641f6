// `columns` when reading: keep some columns of a table, in a chosen order, under the names the script uses.

/// One column a reader keeps: `source` as the file's header names it, `name` as the script sees it.
public struct ColumnPick: Sendable, Equatable {
    public var name: String
    public var source: String
    /// False for picks given without an order (a Lua table's renames): they follow the listed ones, in the file's order.
    public var listed: Bool

    public init(name: String, source: String, listed: Bool = true) {
        self.name = name
        self.source = source
        self.listed = listed
    }

    /// Keeps `source` under its own name.
    public init(_ source: String) {
        self.init(name: source, source: source)
    }
}

/// A reader that passes on only the picked columns, renamed. A name the header does not have is an
/// error naming the nearest column, never an empty column.
final class ColumnSelection: TableReader {
    private let base: any TableReader
    let header: [String]
    private let indexes: [Int]
    var info: SourceInfo { base.info }

    init(_ base: any TableReader, picks: [ColumnPick]) throws {
        self.base = base
        let source = base.header
        var indexes: [Int] = []
        var names = Set<String>()
        let position = Dictionary(source.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let picks = picks.filter(\.listed) + picks.filter { !$0.listed }.sorted { (position[$0.source] ?? .max, $0.name) < (position[$1.source] ?? .max, $1.name) }
        for pick in picks {
            guard let index = source.firstIndex(of: pick.source) else {
                let hint = nearestName(to: pick.source, in: source).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw TabularError.badOption(path: base.info.path, option: "columns",
                                             detail: "no column \"\(pick.source)\" in the header\(hint); the columns are: \(source.joined(separator: ", "))")
            }
            guard names.insert(pick.name).inserted else {
                throw TabularError.badOption(path: base.info.path, option: "columns", detail: "the name \"\(pick.name)\" is given to two columns")
            }
            indexes.append(index)
        }
        guard !indexes.isEmpty else {
            throw TabularError.badOption(path: base.info.path, option: "columns", detail: "no column is kept: list at least one")
        }
        self.indexes = indexes
        header = picks.map(\.name)
    }

    func next() throws -> ReadEvent? {
        guard let event = try base.next() else { return nil }
        switch event {
        case .record(var record):
            record.values = indexes.map { $0 < record.values.count ? record.values[$0] : "" }
            return .record(record)
        case .rejected(var rejected):
            // Projected when the fields line up with the header; otherwise kept whole for the errors file.
            if rejected.values.count == base.header.count { rejected.values = indexes.map { rejected.values[$0] } }
            return .rejected(rejected)
        }
    }
}
