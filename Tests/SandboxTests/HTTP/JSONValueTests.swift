import Testing

@testable import Sandbox

@Suite struct JSONValueTests {
    @Test func keepsMemberOrderBothWays() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"k":"v"}}"#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value.objectValue?.map(\.0) == ["z", "a", "m"])
        #expect(value.serialized() == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(Array(#""a\"b\\c\n\u00e9\ud83d\ude00""#.utf8))
        #expect(value == .string("a\"b\\c\né😀"))
        #expect(JSONValue.string("tab\there\u{01}").serialized() == #""tab\there\u0001""#)
    }

    @Test func writesWholeNumbersWithoutAFraction() {
        #expect(JSONValue.number(5_368_724_480).serialized() == "5368724480")
        #expect(JSONValue.number(1.5).serialized() == "1.5")
    }

    @Test(arguments: ["", "{", #"{"a" 1}"#, "[1,]", "tru", #""open"#, "{} extra", #"{"a":1,}"#])
    func rejectsMalformedText(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(text.utf8)) }
    }
}
