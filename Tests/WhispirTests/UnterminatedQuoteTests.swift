import Testing
@testable import Whispir

@Suite struct UnterminatedQuoteTests {
    @Test func validationWarnsAboutAnUnclosedQuote() throws {
        let csv = Array("firstName,lastName,workMobilePhone1,workCountry,timezone\nAda,\"Love,61400000000,Australia,+10\n".utf8)
        let warnings = try WhispirClient.validate(csv: csv, fieldMapping: seedMapping)
        #expect(warnings.contains { $0.contains("record 1 (line 2) cannot be read") && $0.contains("never closed") }, "\(warnings)")
    }

    @Test func aSemicolonWindows1252FileIsSentAsUTF8CommaCSV() throws {
        // "firstName;lastName;..." with José and Müller in Windows-1252, as a European Excel saves it.
        var bytes = Array("firstName;lastName;workMobilePhone1;workCountry;timezone\r\nJos".utf8) + [0xE9]
        bytes += Array(";M".utf8) + [0xFC] + Array("ller, \"Jr\";61423456789;Australia;+10\r\n".utf8)
        let parts = try WhispirClient.planParts(csv: bytes, name: "export.csv")
        #expect(parts.count == 1)
        #expect(String(decoding: parts[0].csv, as: UTF8.self)
                == "firstName,lastName,workMobilePhone1,workCountry,timezone\r\nJosé,\"Müller, \"\"Jr\"\"\",61423456789,Australia,+10\r\n")
    }
}
