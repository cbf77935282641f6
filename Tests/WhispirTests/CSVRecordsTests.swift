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

@Suite struct UnterminatedQuoteTests {
    @Test func validationWarnsAboutAnUnclosedQuote() throws {
        let csv = Array("firstName,lastName,workMobilePhone1,workCountry,timezone\nAda,\"Love,61400000000,Australia,+10\n".utf8)
        let warnings = try WhispirClient.validate(csv: csv, fieldMapping: seedMapping)
        #expect(warnings.contains { $0.contains("quote is never closed") })
    }
}
