import Foundation
import Testing
@testable import Tabular

@Suite struct InspectorTests {
    @Test func summarisesSeedCSVWithRejectionAndSample() throws {
        let dir = try Scratch()
        let path = try dir.write("seed.csv", seedCSV)
        let inspection = try Inspector.inspect(path: path)
        #expect(inspection.format == "csv")
        #expect(inspection.encoding == "utf-8")
        #expect(inspection.delimiter == ",")
        #expect(inspection.rows == 2)
        #expect(inspection.rejectedCount == 1)
        #expect(inspection.rejected.map(\.line) == [3])
        #expect(inspection.sample == [["John", "Smith", "john.smith@testcompany.com", "61423456789", "Australia", "+10"]])
        #expect(inspection.text.contains("Rows:      2 (1 rejected)\n"))
        #expect(inspection.text.contains("  record 2, line 3: record has 7 fields, the header has 6"))
    }

    @Test func flagsLeadingZerosAndExponentNotation() throws {
        let dir = try Scratch()
        let path = try dir.write("p.csv", "Name,Mobile,Phone\nAnn,0412345678,1.4076341732E+10\nBob,0498765432,4076341732\n")
        let inspection = try Inspector.inspect(path: path, sampleRows: 1)
        #expect(inspection.sample.count == 1)
        #expect(inspection.warnings == [
            "column \"Mobile\": 2 value(s) with leading zeros (e.g. 0412345678): keep the column as text",
            "column \"Phone\": 1 value(s) in exponent notation (e.g. 1.4076341732E+10): numbers mangled by a spreadsheet? re-export the column as text",
        ])
    }

    @Test func reportsPhoneNumbersStoredAsNumbersInXLSXAndRendersJSON() throws {
        let dir = try Scratch()
        let path = try XLSXReaderTests.basic().write(to: dir.path("b.xlsx"))
        let inspection = try Inspector.inspect(path: path)
        #expect(inspection.sheets == ["Contacts"])
        #expect(inspection.rows == 4)
        #expect(inspection.warnings.contains { $0.hasPrefix("record 1 (line 2): cell B2 holds 14076341732 as a number: if it is a phone number") })
        let json = try inspection.json()
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(decoded?["format"] as? String == "xlsx")
        #expect(decoded?["rows"] as? Int == 4)
        #expect(decoded?["header"] as? [String] == ["Name", "Phone", "Active", "Note"])
    }
}
