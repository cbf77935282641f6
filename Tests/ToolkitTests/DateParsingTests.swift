import Testing
import Toolkit

@Test(arguments: [
    ("2024-04-03", "2024-04-03"),
    ("  2024-4-3 ", "2024-04-03"),
    ("2024-04-03T14:05", "2024-04-03T14:05:00"),
    ("2024-04-03T14:05:09", "2024-04-03T14:05:09"),
    ("2024-04-03 14:05:09", "2024-04-03T14:05:09"),
    ("2024-04-03   9:05", "2024-04-03T09:05:00"),
    ("2024/04/03", "2024-04-03"),
    ("20240403", "2024-04-03"),
    ("25/12/2024", "2024-12-25"),          // a part > 12 decides: day first
    ("12/25/2024", "2024-12-25"),          // month first
    ("25-12-2024", "2024-12-25"),
    ("25.12.2024", "2024-12-25"),
    ("4/4/2024", "2024-04-04"),            // equal parts are not ambiguous
    ("3 Apr 2024", "2024-04-03"),
    ("3 April 2024", "2024-04-03"),
    ("03-APR-2024", "2024-04-03"),
    ("3rd April 2024", "2024-04-03"),
    ("April 3, 2024", "2024-04-03"),
    ("Apr 3 2024", "2024-04-03"),
    ("Apr. 3, 2024", "2024-04-03"),
    ("sept 30 2024", "2024-09-30"),
    ("April 3, 2024 2:05 PM", "2024-04-03T14:05:00"),
    ("12/25/2024 12:30 am", "2024-12-25T00:30:00"),
    ("3 Apr 2024 23:59:59", "2024-04-03T23:59:59"),
    ("2024-02-29", "2024-02-29"),          // leap year
    ("2000-02-29", "2000-02-29"),          // divisible by 400
])
func acceptsCommonForms(input: String, expected: String) {
    #expect(DateParsing.parse(input) == (expected, nil))
}

@Test func ambiguousNumericDatesNeedDayFirst() {
    let refused = DateParsing.parse("03/04/2024")
    #expect(refused.iso == nil)
    #expect(refused.reason?.contains("03/04/2024") == true)
    #expect(refused.reason?.contains("day_first") == true)
    #expect(DateParsing.parse("03/04/2024", options: .init(dayFirst: true)).iso == "2024-04-03")
    #expect(DateParsing.parse("03/04/2024", options: .init(dayFirst: false)).iso == "2024-03-04")
    #expect(DateParsing.parse("03.04.2024 10:00", options: .init(dayFirst: true)).iso == "2024-04-03T10:00:00")
    // a part over 12 wins over the option
    #expect(DateParsing.parse("25/12/2024", options: .init(dayFirst: false)).iso == "2024-12-25")
    #expect(DateParsing.parse("12/25/2024", options: .init(dayFirst: true)).iso == "2024-12-25")
}

@Test(arguments: [
    ("2023-02-29", "2023-02-29 is not a date: February 2023 has 28 days"),
    ("1900-02-29", "1900-02-29 is not a date: February 1900 has 28 days"),
    ("2024-04-31", "April 2024 has 30 days"),
    ("2024-13-01", "month 13"),
    ("2024-00-10", "month 0"),
    ("2024-01-00", "January 2024 has 31 days"),
    ("31/04/2024", "April 2024 has 30 days"),
    ("13/13/2024", "no month"),
    ("20241301", "month 13"),
    ("Feb 30, 2024", "February 2024 has 29 days"),
    ("2024-04-03T24:00", "does not exist"),
    ("2024-04-03 14:60", "does not exist"),
    ("2024-04-03T14:05:00Z", "time zone"),
    ("2024-04-03T14:05:00+02:00", "time zone"),
    ("2024-04-03 14:05 -0500", "time zone"),
    ("2024-04-03T14:05:00.123", "fractional seconds"),
    ("3/4/24", "two-digit year"),
    ("3 Apr 24", "two-digit year"),
    ("2024-04-03 13:00 PM", "AM/PM"),
    ("", "empty"),
    (" \u{00A0} ", "empty"),
    ("yesterday", "'yesterday' is not a recognized date"),
    ("Smarch 3, 2024", "not a recognized date"),
    ("2024-04", "not a recognized date"),
    ("14:05", "has no date"),
])
func refusesWithReason(input: String, expected: String) {
    let result = DateParsing.parse(input)
    #expect(result.iso == nil)
    #expect(result.reason?.contains(expected) == true, "\(input): \(result.reason ?? "nil")")
}

@Test func explicitFormats() {
    func parse(_ value: String, _ formats: String...) -> String? {
        DateParsing.parse(value, options: .init(formats: formats)).iso
    }
    #expect(parse("03/04/24", "%d/%m/%y") == "2024-04-03")
    #expect(parse("03/04/68", "%d/%m/%y") == "2068-04-03")   // POSIX pivot: 00-68 -> 20xx
    #expect(parse("03/04/69", "%d/%m/%y") == "1969-04-03")   // 69-99 -> 19xx
    #expect(parse("3-apr-2024", "%d-%b-%Y") == "2024-04-03")
    #expect(parse("3 SEPTEMBER 2024", "%d %b %Y") == "2024-09-03")
    #expect(parse("2024.04.03 02:05:09 PM", "%Y.%m.%d %H:%M:%S %p") == "2024-04-03T14:05:09")
    #expect(parse("04/03/2024 12:05am", "%m/%d/%Y %H:%M%p") == "2024-04-03T00:05:00")
    #expect(parse("04/03/2024   7:05", "%m/%d/%Y %H:%M") == "2024-04-03T07:05:00")  // whitespace matches a run
    #expect(parse("20240403", "%Y%m%d") == "2024-04-03")
    #expect(parse("100% 2024-04-03", "100%% %Y-%m-%d") == "2024-04-03")
    #expect(parse("3.4.2024", "%Y-%m-%d", "%d.%m.%Y") == "2024-04-03")   // tried in order
    #expect(parse("2024-04-03", "%Y-%m-%d", "%Y-%d-%m") == "2024-04-03")  // first match wins
    #expect(parse("2024-04-03", "%d/%m/%Y") == nil)
    #expect(parse("03/04/2024", "%d/%m/%y") == nil)  // %y takes exactly two digits
}

@Test func explicitFormatReasons() {
    func reason(_ value: String, _ formats: String...) -> String {
        DateParsing.parse(value, options: .init(formats: formats)).reason ?? "nil"
    }
    #expect(reason("29/02/2023", "%d/%m/%Y") == "2023-02-29 is not a date: February 2023 has 28 days")
    #expect(reason("2024-04-03", "%d/%m/%Y").contains("does not match"))
    #expect(reason("2024-04-03", "%d/%m/%Y").contains("'%d/%m/%Y'"))
    #expect(reason("13:00 PM 3/4/2024", "%H:%M %p %d/%m/%Y").contains("AM/PM"))
    #expect(reason("3 Apr", "%d %b").contains("no year"))
    #expect(reason("2024-04-03", "%Y-%m-%e").contains("unsupported directive"))
    #expect(reason("2024-04-03 2", "%Y-%m-%d %p").contains("%p but no %H"))
}
