import Testing

@testable import Sandbox

@Suite struct OmnigageContactBookTests {
    let mapping: [String?] = ["first-name", "phone1-phone-number", "email1-email-address", nil]

    @Test(arguments: [
        ("+1 (555) 010-0123", "+15550100123"), ("5550100123", "+15550100123"), ("14076341732", "+14076341732"),
        ("+44 20 7946 0958", "+442079460958"),
    ])
    func normalisesValidPhones(raw: String, expected: String) {
        #expect(OmnigageContactBook.normalizedPhone(raw) == expected)
    }

    @Test(arguments: ["555-0100", "1234567890123456", "+1 555 CALL NOW", ""])
    func refusesInvalidPhones(raw: String) {
        #expect(OmnigageContactBook.normalizedPhone(raw) == nil)
    }

    @Test func duplicatePrimaryPhoneUpdatesInsteadOfCreating() {
        var book = OmnigageContactBook()
        var next = 0
        func id() -> String { next += 1; return "C\(next)" }
        let first = book.apply(values: ["Ada", "555-010-0123", "ada@example.com", "x"], mapping: mapping, uniquePhone: true, uniqueEmail: false, newID: id)
        let again = book.apply(values: ["Ada Q", "+1 555 010 0123", "", "x"], mapping: mapping, uniquePhone: true, uniqueEmail: false, newID: id)
        #expect(first.0 == .created && again.0 == .updated && again.1 == first.1)
        #expect(book.contacts.count == 1)
        #expect(book.contacts[0].fields["first-name"] == "Ada Q")
    }

    @Test func duplicatesAreCreatedWhenUniquenessIsOff() {
        var book = OmnigageContactBook()
        let a = book.apply(values: ["Ada", "5550100123", "", ""], mapping: mapping, uniquePhone: false, uniqueEmail: false, newID: { "A" })
        let b = book.apply(values: ["Ada", "5550100123", "", ""], mapping: mapping, uniquePhone: false, uniqueEmail: false, newID: { "B" })
        #expect(a.0 == .created && b.0 == .created && book.contacts.count == 2)
    }

    @Test func uniquePrimaryEmailMatchesCaseInsensitively() {
        var book = OmnigageContactBook()
        _ = book.apply(values: ["Ada", "", "Ada@Example.com", ""], mapping: mapping, uniquePhone: false, uniqueEmail: true, newID: { "A" })
        let again = book.apply(values: ["Ada", "", "ada@example.COM", ""], mapping: mapping, uniquePhone: false, uniqueEmail: true, newID: { "B" })
        #expect(again.0 == .updated && again.1 == "A")
    }

    @Test func invalidPhoneOrEmailErrsTheRow() {
        var book = OmnigageContactBook()
        let phone = book.apply(values: ["Ada", "12345", "", ""], mapping: mapping, uniquePhone: true, uniqueEmail: false, newID: { "A" })
        let email = book.apply(values: ["Ada", "", "ada@example,com", ""], mapping: mapping, uniquePhone: true, uniqueEmail: false, newID: { "A" })
        #expect(phone.0 == .erred && phone.2 == "Invalid phone number specified")
        #expect(email.0 == .erred && email.2 == "Invalid email address specified")
        #expect(book.contacts.isEmpty)
    }

    @Test func autoMapsTheKnowledgeBaseTitles() {
        let mapping = OmnigageAutoMapping.mapping(for: ["First Name", "Last Name", "Company", "Phone Number", "Email Address", "Notes", "phone"])
        #expect(mapping == ["first-name", "last-name", "company", "phone1-phone-number", "email1-email-address", nil, nil])
    }
}
