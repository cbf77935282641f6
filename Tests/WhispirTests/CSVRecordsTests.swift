import Testing
@testable import Whispir

@Suite struct CSVRecordsTests {
    @Test func quotedLineBreaksCommasAndQuotesStayInsideTheirRecord() {
        let csv = Array("a,b\r\n\"x\ny\",\"he said \"\"hi, there\"\"\"\r\nplain,2\nlast,3".utf8)
        let (records, open) = CSVRecords.ranges(in: csv)
        #expect(!open)
        #expect(records.map { String(decoding: csv[$0], as: UTF8.self) }
            == ["a,b\r\n", "\"x\ny\",\"he said \"\"hi, there\"\"\"\r\n", "plain,2\n", "last,3"])
        #expect(CSVRecords.fields(of: csv[records[1]]) == ["x\ny", "he said \"hi, there\""])
    }

    @Test func reportsAnUnterminatedQuote() {
        let (records, open) = CSVRecords.ranges(in: Array("a\n\"never closed\nstill,inside".utf8))
        #expect(open)
        #expect(records.count == 2)
    }

    @Test func fieldsDropTheByteOrderMark() {
        #expect(CSVRecords.fields(of: ArraySlice(Array("\u{FEFF}firstName,lastName\n".utf8))) == ["firstName", "lastName"])
    }
}
