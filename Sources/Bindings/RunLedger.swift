import Pipeline

/// Every table a script opened during one run, so the run can report (and check) its row accounting.
public final class RunLedger {
    private var tables: [OpenedTable] = []

    public init() {}

    func add(_ table: OpenedTable) { tables.append(table) }

    /// Totals over every input: read, sent, skipped and rejected records.
    public var totals: (read: Int, sent: Int, skipped: Int, rejected: Int) {
        tables.reduce((0, 0, 0, 0)) { t, table in
            let a = table.accounting
            return (t.0 + a.read, t.1 + a.sent, t.2 + a.skipped, t.3 + a.rejected)
        }
    }

    /// Inputs whose records are not all accounted for (read but never written, skipped or rejected),
    /// e.g. a source the script stopped iterating early: (path, how many).
    public var unaccounted: [(path: String, records: Int)] {
        tables.filter { !$0.accounting.balanced }.map { ($0.path, $0.accounting.pending) }
    }

    /// Where rejected and skipped records were written, if an errors file was asked for.
    public var errorsFiles: [String] { tables.compactMap { $0.errorsFilePath } }
}
