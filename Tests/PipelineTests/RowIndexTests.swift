import Testing
@testable import Pipeline

@Suite struct RowIndexTests {
    /// Rows from records 1-3, a fan-out of 4 into three rows, a skip of 5, then 6-9: every row maps
    /// back to its record, and a million one-row records take one run.
    @Test func everyRowMapsBackToItsRecord() {
        let records: [Int32] = [1, 2, 3, 4, 4, 4, 6, 7, 8, 9]
        var index = RowIndex()
        for r in records { index.append(r) }
        #expect(index.count == records.count)
        #expect((0 ..< records.count).map { index[$0] } == records)
        #expect((0 ... 10).filter { index.contains(record: Int32($0)) } == [1, 2, 3, 4, 6, 7, 8, 9])
    }

    @Test func aMillionRowsOfOneRecordEach() {
        var index = RowIndex()
        for r in 1 ... 1_000_000 { index.append(Int32(r)) }
        #expect(index[0] == 1 && index[999_999] == 1_000_000 && index[123_456] == 123_457)
        #expect(index.contains(record: 500_000) && !index.contains(record: 1_000_001) && !index.contains(record: 0))
    }
}
