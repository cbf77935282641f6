/// Which source record each output row came from, kept as runs of consecutive records: a 10-million
/// row file with one row per record is one run, not 40 MB of numbers. Fan-outs and skips start new runs.
struct RowIndex {
    private struct Run {
        var firstRow: Int
        var firstRecord: Int32
        var count: Int
    }

    private var runs: [Run] = []
    /// Output rows indexed.
    private(set) var count = 0

    /// Notes that the next output row came from `record` (records come in non-decreasing order).
    mutating func append(_ record: Int32) {
        if let last = runs.last, Int(last.firstRecord) + last.count == Int(record) {
            runs[runs.count - 1].count += 1
        } else {
            runs.append(Run(firstRow: count, firstRecord: record, count: 1))
        }
        count += 1
    }

    /// The source record of output row `row` (0-based, below `count`).
    subscript(row: Int) -> Int32 {
        var low = 0, high = runs.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if runs[mid].firstRow <= row { low = mid } else { high = mid - 1 }
        }
        let run = runs[low]
        return run.firstRecord + Int32(truncatingIfNeeded: row - run.firstRow)
    }

    /// Whether some output row came from `record`.
    func contains(record: Int32) -> Bool {
        var low = 0, high = runs.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let run = runs[mid]
            if Int(record) < Int(run.firstRecord) { high = mid - 1 } else if Int(record) >= Int(run.firstRecord) + run.count { low = mid + 1 } else { return true }
        }
        return false
    }
}
