/// Outcome of importing one row into Omnigage's contacts.
public enum OmnigageRowOutcome: String, Sendable, Equatable, Codable {
    case created, updated, erred
}

/// One row's result, as listed by `GET /import-contacts/{id}/results`.
public struct OmnigageRowResult: Sendable, Equatable, Codable {
    /// Data-record number and the line it started on.
    public var row: Int
    public var line: Int
    /// What happened, the contact touched (if any) and why a row erred.
    public var outcome: OmnigageRowOutcome
    public var contactID: String?
    public var message: String?
}

/// A contact held by the emulated Omnigage account.
public struct OmnigageContact: Sendable, Equatable, Codable {
    /// Contact id (Omnigage shape).
    public var id: String
    /// Contact field name (`first-name`, `phone1-phone-number`, …) to value; phones in E.164.
    public var fields: [String: String]
}

/// The account's contacts, with the unique-primary-phone/email rules of docs/api/omnigage.md §7.1, §9.
struct OmnigageContactBook: Sendable {
    private(set) var contacts: [OmnigageContact] = []
    private var byPhone: [String: Int] = [:]
    private var byEmail: [String: Int] = [:]

    init() {}

    /// A book holding `contacts`, indexed again (data-folder restore).
    init(contacts: [OmnigageContact]) {
        self.contacts = contacts
        for position in contacts.indices { reindex(at: position) }
    }

    static let phoneField = "phone1-phone-number"
    static let emailField = "email1-email-address"

    /// Digits of a phone after dropping `+ ( ) - . /` and spaces; `nil` if anything else is there
    /// or the count is not 10-15. Ten digits are taken as North American (`+1…`).
    static func normalizedPhone(_ raw: String) -> String? {
        var digits = ""
        for ch in raw {
            if ch.isASCII, ch.isNumber { digits.append(ch) } else if !"+()-./ \t".contains(ch) { return nil }
        }
        guard (10...15).contains(digits.count) else { return nil }
        return digits.count == 10 ? "+1" + digits : "+" + digits
    }

    /// One `local@domain.tld` address with no spaces or separators.
    static func isValidEmail(_ raw: String) -> Bool {
        let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        if raw.contains(where: { $0 == " " || $0 == "," || $0 == ";" || $0 == "\t" }) { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    /// Applies one row: `mapping[i]` names the contact field of `values[i]` (`nil` = not imported).
    mutating func apply(values: [String], mapping: [String?], uniquePhone: Bool, uniqueEmail: Bool,
                        newID: () -> String) -> (OmnigageRowOutcome, String?, String?) {
        var fields: [String: String] = [:]
        for (index, field) in mapping.enumerated() {
            guard let field, index < values.count else { continue }
            let value = values[index].trimmedSpaces()
            if !value.isEmpty { fields[field] = value }
        }
        if let phone = fields[Self.phoneField] {
            guard let normalized = Self.normalizedPhone(phone) else {
                return (.erred, nil, "Invalid phone number specified")
            }
            fields[Self.phoneField] = normalized
        }
        if let email = fields[Self.emailField] {
            guard Self.isValidEmail(email) else { return (.erred, nil, "Invalid email address specified") }
            fields[Self.emailField] = email.lowercased()
        }
        if fields[Self.phoneField] == nil, fields[Self.emailField] == nil,
           fields["first-name"] == nil, fields["last-name"] == nil {
            return (.erred, nil, "The row has no name, phone number or email address")
        }
        var match: Int?
        if uniquePhone, let phone = fields[Self.phoneField] { match = byPhone[phone] }
        if match == nil, uniqueEmail, let email = fields[Self.emailField] { match = byEmail[email] }
        if let index = match {
            contacts[index].fields.merge(fields) { _, new in new }
            reindex(at: index)
            return (.updated, contacts[index].id, nil)
        }
        contacts.append(OmnigageContact(id: newID(), fields: fields))
        reindex(at: contacts.count - 1)
        return (.created, contacts[contacts.count - 1].id, nil)
    }

    private mutating func reindex(at position: Int) {
        if let phone = contacts[position].fields[Self.phoneField] { byPhone[phone] = position }
        if let email = contacts[position].fields[Self.emailField] { byEmail[email] = position }
    }
}

/// Maps column titles to Omnigage contact fields (case, spaces, `-` and `_` ignored, plus synonyms).
enum OmnigageAutoMapping {
    /// The five field names the KB confirms, plus the numbered second entries the pattern suggests.
    static let knownFields: Set<String> = [
        "first-name", "last-name", "company", "phone1-phone-number", "email1-email-address",
        "phone2-phone-number", "email2-email-address",
    ]

    private static let synonyms: [String: String] = [
        "firstname": "first-name", "first": "first-name", "givenname": "first-name", "fname": "first-name", "forename": "first-name",
        "lastname": "last-name", "last": "last-name", "surname": "last-name", "familyname": "last-name", "lname": "last-name",
        "company": "company", "companyname": "company", "organization": "company", "organisation": "company", "employer": "company",
        "phonenumber": "phone1-phone-number", "phone": "phone1-phone-number", "mobile": "phone1-phone-number",
        "mobilephone": "phone1-phone-number", "mobilenumber": "phone1-phone-number", "cell": "phone1-phone-number",
        "cellphone": "phone1-phone-number", "telephone": "phone1-phone-number", "phone1": "phone1-phone-number",
        "phone1phonenumber": "phone1-phone-number",
        "emailaddress": "email1-email-address", "email": "email1-email-address", "email1": "email1-email-address",
        "email1emailaddress": "email1-email-address",
        "phone2": "phone2-phone-number", "phone2phonenumber": "phone2-phone-number",
        "email2": "email2-email-address", "email2emailaddress": "email2-email-address",
    ]

    static func field(forTitle title: String) -> String? {
        let key = String(title.lowercased().filter { !" -_.\t".contains($0) })
        return synonyms[key]
    }

    /// One entry per title; a field is used once (later duplicates map to `nil`).
    static func mapping(for header: [String]) -> [String?] {
        var used: Set<String> = []
        return header.map { title in
            guard let field = field(forTitle: title), !used.contains(field) else { return nil }
            used.insert(field)
            return field
        }
    }
}
