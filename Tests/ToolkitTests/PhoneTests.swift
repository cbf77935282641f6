import Testing
import Toolkit

/// roster.phone's engine: libphonenumber's metadata, not digit stripping.
@Suite struct PhoneTests {
    @Test func internationalNumbersKeepTheirCountry() {
        // The everyday plugin bug: gsub("%D", "") and "+1" turn a UK mobile into a wrong US number.
        #expect(PhoneNumbers.e164("+44 7911 123456", region: "US") == ("+447911123456", nil))
        #expect(PhoneNumbers.e164("07911 123456", region: "GB") == ("+447911123456", nil))
        #expect(PhoneNumbers.e164("0412 345 678", region: "AU") == ("+61412345678", nil))
        #expect(PhoneNumbers.e164("(407) 634-1732", region: "US") == ("+14076341732", nil))
    }

    @Test func spreadsheetDigitsWithoutTheirPlusAreRead() {
        #expect(PhoneNumbers.e164("14076341732", region: "US") == ("+14076341732", nil))
        #expect(PhoneNumbers.e164("61412345678", region: "AU") == ("+61412345678", nil))
        #expect(PhoneNumbers.e164("447911123456", region: nil) == ("+447911123456", nil))
    }

    @Test func numbersThatParseButAreNotValidAreRefusedWithAReason() {
        let (short, reason) = PhoneNumbers.e164("12", region: "US")
        #expect(short == nil)
        #expect(reason?.contains("\"12\"") == true)
        let (fake, why) = PhoneNumbers.e164("+1 555 010 0000", region: nil)
        #expect(fake == nil && why?.contains("not a valid number") == true, "\(why ?? "")")
        #expect(PhoneNumbers.e164("not a phone", region: "US").1 == "\"not a phone\" is not a phone number")
        #expect(PhoneNumbers.e164("4076341732", region: nil).1?.contains("pass the region") == true)
        #expect(PhoneNumbers.e164("0412 345 678", region: "XX").1?.contains("unknown region \"XX\"") == true)
        #expect(PhoneNumbers.e164("", region: "US").1 == "empty")
    }

    @Test func parseTellsTypeRegionAndValidity() throws {
        let mobile = try #require(PhoneNumbers.parse("+61 412 345 678", region: nil).info)
        #expect(mobile.type == "mobile" && mobile.region == "AU" && mobile.valid && mobile.countryCode == 61)
        let landline = try #require(PhoneNumbers.parse("020 7946 0958", region: "GB").info)
        #expect(landline.type == "fixed_line" && landline.e164 == "+442079460958")
        let invalid = try #require(PhoneNumbers.parse("12", region: "US").info)
        #expect(!invalid.valid)
    }

    @Test func formatsEveryStyle() {
        #expect(PhoneNumbers.format("+14076341732", style: .national, region: nil).0 == "(407) 634-1732")
        #expect(PhoneNumbers.format("+14076341732", style: .international, region: nil).0 == "+1 407-634-1732")
        #expect(PhoneNumbers.format("07911123456", style: .international, region: "gb").0 == "+44 7911 123456")
    }
}
