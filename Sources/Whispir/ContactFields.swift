import Foundation
import Toolkit

/// Whispir's contact fields that an import's `fieldMapping` may name, from the OpenAPI `Contact`
/// schema and the older public docs; plus the checks run on a mapping before anything is sent.
public enum ContactFields {
    /// Keys every import mapping must contain.
    public static let mandatory = ["firstName", "lastName", "workMobilePhone1", "workCountry", "timezone"]

    /// Every mappable contact field.
    public static let catalogue: Set<String> = [
        "firstName", "lastName", "title", "otherFirstName", "otherLastName", "otherTitle", "status",
        "companyName", "jobTitle", "division", "businessUnit", "department", "teamName1", "teamName2", "role1", "role2",
        "workEmailAddress1", "workEmailAddress2",
        "workMobilePhone1", "workMobilePhone2", "workPhoneAreaCode1", "workPhone1", "workPhoneAreaCode2", "workPhone2",
        "workFaxAreaCode1", "workFax1", "workSatellitePhone", "workOtherPhone",
        "workAddress1", "workAddress2", "workSuburb", "workState", "workPostCode", "workCountry",
        "workPostalAddress1", "workPostalAddress2", "workPostalSuburb", "workPostalState", "workPostalPostCode", "workPostalCountry",
        "personalEmailAddress1", "personalEmailAddress2", "personalAddress1", "personalAddress2", "personalSuburb",
        "personalState", "personalPostCode", "personalCountry", "personalPhoneAreaCode1", "personalPhone1",
        "personalPhoneAreaCode2", "personalPhone2", "personalFaxAreaCode1", "personalFax1", "personalMobilePhone1",
        "otherPhoneAreaCode1", "otherPhone1", "otherMobile", "timezone",
    ]

    enum Kind { case phone, email, timezone, other }

    static func kind(of field: String) -> Kind {
        if field == "timezone" { return .timezone }
        if field.contains("EmailAddress") { return .email }
        if field.contains("AreaCode") { return .other }
        if field.contains("Phone") || field.contains("Mobile") || field.contains("Fax") { return .phone }
        return .other
    }

    /// Checks `mapping` (`[whispirField: column]`) against the catalogue, the mandatory keys and
    /// `header`; throws ``WhispirError/invalidMapping(_:)`` listing every problem.
    public static func check(mapping: [String: String], header: [String], customFields: Set<String> = []) throws(WhispirError) {
        var problems: [String] = []
        for field in mandatory where mapping[field] == nil {
            problems.append("mandatory field \(field) is not mapped")
        }
        let known = catalogue.union(customFields)
        let columns = Set(header)
        for (field, column) in mapping.sorted(by: { $0.key < $1.key }) {
            if !known.contains(field) {
                if let near = known.first(where: { $0.caseInsensitiveCompare(field) == .orderedSame }) {
                    problems.append("\(field) is not a Whispir contact field (did you mean \(near)?)")
                } else {
                    problems.append("\(field) is not a Whispir contact field (declare it as a custom field if your profile has it)")
                }
            }
            if !columns.contains(column) {
                problems.append("\(field) is mapped to column \"\(column)\", which the file does not have (columns: \(header.joined(separator: ", ")))")
            }
        }
        if !problems.isEmpty { throw .invalidMapping(problems) }
    }

    /// Warnings for mapped columns whose sample values do not look like the field
    /// (e.g. email addresses mapped to `workMobilePhone1`).
    public static func warnings(mapping: [String: String], header: [String], rows: [[String]]) -> [String] {
        var warnings: [String] = []
        for (field, column) in mapping.sorted(by: { $0.key < $1.key }) {
            guard let index = header.firstIndex(of: column) else { continue }
            let values = rows.compactMap { $0.indices.contains(index) ? $0[index].trimmingCharacters(in: .whitespaces) : nil }
                .filter { !$0.isEmpty }
            guard !values.isEmpty else { continue }
            let kind = kind(of: field)
            let bad: [String]
            let expected: String
            switch kind {
            case .phone:
                bad = values.filter { !looksLikePhone($0) }
                expected = "international phone numbers (Whispir wants the country code first, e.g. 61423456789)"
            case .email:
                bad = values.filter { !looksLikeEmail($0) }
                expected = "email addresses"
            case .timezone:
                bad = values.filter { !looksLikeTimezone($0) }
                expected = "time zones (+10 or Area/City)"
            case .other:
                continue
            }
            guard bad.count * 2 > values.count, let example = bad.first else { continue }
            var warning = "column \"\(column)\" mapped to \(field): \(bad.count) of \(values.count) sampled values do not look like \(expected) (e.g. \"\(example)\")"
            if kind == .phone, bad.contains(where: looksLikeEmail) { warning += "; they look like email addresses" }
            warnings.append(warning)
        }
        return warnings
    }

    /// A number in international form with a length its country allows (libphonenumber's metadata):
    /// `+61 423 456 789`, or the digits Whispir stores (`61423456789`). A local number (`0423 456 789`)
    /// names no country. Whether the range is in service is Whispir's to judge, not a format rule.
    public static func looksLikePhone(_ value: String) -> Bool {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.hasPrefix("0") else { return false }
        let international = text.hasPrefix("+") ? text : "+" + text
        return PhoneNumbers.parse(international, region: nil).info?.possible == true
    }

    public static func looksLikeEmail(_ value: String) -> Bool {
        EmailAddress.problem(in: value) == nil
    }

    /// A GMT offset (`+10`, `-05:30`) or an `Area/City` zone id.
    public static func looksLikeTimezone(_ value: String) -> Bool {
        if let first = value.first, first == "+" || first == "-" {
            return value.dropFirst().allSatisfy { $0.isNumber || $0 == ":" || $0 == "." }
        }
        return value.contains("/") || value.uppercased().hasPrefix("GMT") || value.uppercased().hasPrefix("UTC")
    }
}
