// Phone numbers through libphonenumber (Google's metadata for every region), behind CPhoneNumber's C surface.
import CPhoneNumber
import Foundation

/// What a phone number is, as libphonenumber reads it.
public struct PhoneNumberInfo: Sendable, Equatable {
    public var e164: String
    public var national: String
    public var international: String
    /// ISO 3166 region of the number ("ZZ" when it belongs to none, e.g. a non-geographic number).
    public var region: String
    public var countryCode: Int
    /// `mobile`, `fixed_line`, `fixed_line_or_mobile`, `toll_free`, `premium_rate`, `shared_cost`, `voip`,
    /// `personal_number`, `pager`, `uan`, `voicemail` or `unknown`.
    public var type: String
    /// A valid number (a real range of its region), not only a plausible length.
    public var valid: Bool
    /// A plausible length for its region (`valid` also checks the number range).
    public var possible: Bool
}

/// Parsing, validation and formatting of phone numbers.
public enum PhoneNumbers {
    public enum Style: String, Sendable, CaseIterable {
        case e164, national, international
    }

    static let types = ["fixed_line", "mobile", "fixed_line_or_mobile", "toll_free", "premium_rate", "shared_cost", "voip",
                        "personal_number", "pager", "uan", "voicemail", "unknown"]

    /// Parses `value` as dialled from `region` (ISO 3166, e.g. "US"; nil for numbers written with +). Digits
    /// a spreadsheet kept without their + (`61412345678`) are read as international when that makes a
    /// valid number and the national reading does not. nil and a reason when it is not a phone number.
    public static func parse(_ value: String, region: String?) -> (info: PhoneNumberInfo?, reason: String?) {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return (nil, "empty") }
        let from = region?.uppercased()
        if let from, !from.isEmpty, roster_phone_known_region(from) == 0 {
            return (nil, "unknown region \"\(region ?? "")\": use an ISO 3166 code such as US, GB or AU")
        }
        var first = raw(text, from)
        let digits = text.unicodeScalars.filter { $0.properties.numericType != nil }.count
        if !text.contains("+") && digits >= 8 && (first.error != 0 || first.valid == 0) {
            let international = raw("+" + text, nil)
            if international.error == 0 && international.valid != 0 { first = international }
        }
        if first.error != 0 { return (nil, reason(first.error, text: value, region: from)) }
        return (info(first), nil)
    }

    /// `value` in E.164 (`+14076341732`), or nil and a reason when it cannot be parsed or is not a
    /// valid number for its region (`12` parses, but is not valid).
    public static func e164(_ value: String, region: String?) -> (String?, String?) {
        format(value, style: .e164, region: region)
    }

    /// `value` formatted as `style`, or nil and a reason (as `e164`).
    public static func format(_ value: String, style: Style, region: String?) -> (String?, String?) {
        let (parsed, reason) = parse(value, region: region)
        guard let parsed else { return (nil, reason) }
        guard parsed.valid else {
            let place = parsed.region == "ZZ" ? (region?.uppercased() ?? "any region") : parsed.region
            return (nil, "\"\(value)\" is not a valid number for \(place)" + (region == nil && !value.contains("+") ? ": pass the region it was dialled from (e.g. \"US\")" : ""))
        }
        switch style {
        case .e164: return (parsed.e164, nil)
        case .national: return (parsed.national, nil)
        case .international: return (parsed.international, nil)
        }
    }

    private static func raw(_ text: String, _ region: String?) -> roster_phone_info {
        var out = roster_phone_info()
        roster_phone_parse(text, region ?? "", &out)
        return out
    }

    private static func info(_ r: roster_phone_info) -> PhoneNumberInfo {
        var r = r
        func string<T>(_ field: inout T) -> String {
            withUnsafeBytes(of: &field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let type = Int(r.type)
        return PhoneNumberInfo(e164: string(&r.e164), national: string(&r.national), international: string(&r.international),
                               region: string(&r.region), countryCode: Int(r.country_code),
                               type: type >= 0 && type < types.count ? types[type] : "unknown", valid: r.valid != 0, possible: r.possible != 0)
    }

    private static func reason(_ code: Int32, text: String, region: String?) -> String {
        switch Int(code) {
        case Int(ROSTER_PHONE_INVALID_COUNTRY.rawValue):
            return region == nil ? "\"\(text)\" has no country code: write it with + or pass the region it was dialled from (e.g. \"US\")"
                : "\"\(text)\" starts with a country code that does not exist"
        case Int(ROSTER_PHONE_TOO_SHORT_AFTER_IDD.rawValue), Int(ROSTER_PHONE_TOO_SHORT.rawValue): return "\"\(text)\" is too short to be a phone number"
        case Int(ROSTER_PHONE_TOO_LONG.rawValue): return "\"\(text)\" is too long to be a phone number"
        default: return "\"\(text)\" is not a phone number"
        }
    }
}
