// Practical e-mail address cleanup and checks: a subset of RFC 5321/5322 (dot-atom local parts only)
// with internationalized domains converted to IDNA "xn--" labels (RFC 3492 Punycode).

/// Normalizes and checks e-mail addresses the way a contact import needs them.
public enum EmailAddress: Sendable {
    /// Trimmed (Unicode whitespace incl. NBSP, U+200B, U+FEFF), NFC, domain lowercased with non-ASCII labels as
    /// "xn--" Punycode; the local part is kept as written. nil + reason unless there is exactly one "@" with text on both sides.
    public static func normalize(_ value: String) -> (email: String?, reason: String?) {
        let text = TextTools.nfc(TextTools.trimEnds(value))
        let halves: (local: Substring, domain: Substring)
        switch splitAt(text) {
        case .failure(let refusal): return (nil, refusal.reason)
        case .success(let found): halves = found
        }
        var labels: [String] = []
        for label in domainLabels(halves.domain) {
            guard let ascii = label.ascii else { return (nil, unconvertible(label.original)) }
            labels.append(ascii)
        }
        return (halves.local + "@" + labels.joined(separator: "."), nil)
    }

    /// nil when `value` is a practical, deliverable-looking address; otherwise a short reason naming the problem and the fix.
    /// Non-ASCII domains are checked in their Punycode form, so everything normalize() returns is accepted when valid.
    public static func problem(in value: String) -> String? {
        if value.isEmpty { return "empty" }
        if TextTools.trimEnds(value) != value { return "leading or trailing whitespace; trim it" }
        if value.hasPrefix("\"") { return "quoted local parts (\"...\") are not accepted; use a plain address" }
        let halves: (local: Substring, domain: Substring)
        switch splitAt(value) {
        case .failure(let refusal): return refusal.reason
        case .success(let found): halves = found
        }
        if halves.domain.hasPrefix("[") { return "IP address literals ([...]) are not accepted; use a domain name" }
        let labels = domainLabels(halves.domain)
        let asciiLength = labels.reduce(labels.count - 1) { $0 + ($1.ascii ?? $1.original).utf8.count }
        if halves.local.utf8.count + 1 + asciiLength > 254 { return "longer than 254 characters" }
        return localProblem(halves.local) ?? domainProblem(labels, length: asciiLength)
    }

    // MARK: - Parts

    struct Refusal: Error { let reason: String }

    private static func splitAt(_ text: String) -> Result<(local: Substring, domain: Substring), Refusal> {
        let pieces = text.split(separator: "@", omittingEmptySubsequences: false)
        if pieces.count == 1 { return .failure(Refusal(reason: "no @; an address needs name@domain")) }
        if pieces.count > 2 { return .failure(Refusal(reason: "more than one @; keep only one address per field")) }
        if pieces[0].isEmpty { return .failure(Refusal(reason: "nothing before the @; add the mailbox name")) }
        if pieces[1].isEmpty { return .failure(Refusal(reason: "nothing after the @; add the domain")) }
        return .success((pieces[0], pieces[1]))
    }

    /// Lowercased domain labels (split at "." and the IDNA dots U+3002, U+FF0E, U+FF61) with their ASCII forms.
    private static func domainLabels(_ domain: Substring) -> [(original: String, ascii: String?)] {
        let dots: Set<Character> = [".", "\u{3002}", "\u{FF0E}", "\u{FF61}"]
        return domain.lowercased().split(omittingEmptySubsequences: false, whereSeparator: dots.contains).map { part in
            let label = TextTools.nfc(String(part))
            if label.unicodeScalars.allSatisfy(\.isASCII) { return (label, label) }
            return (label, Punycode.encode(label).map { "xn--" + $0 })
        }
    }

    private static func unconvertible(_ label: String) -> String {
        "the domain label '\(label)' cannot be converted to Punycode; check it for stray characters"
    }

    // MARK: - Checks

    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~")

    private static func localProblem(_ local: Substring) -> String? {
        if local.utf8.count > 64 { return "the local part is longer than 64 characters" }
        if local.hasPrefix(".") { return "the local part starts with a dot; remove it" }
        if local.hasSuffix(".") { return "the local part ends with a dot; remove it" }
        if local.contains("..") { return "two dots in a row in the local part; remove one" }
        for ch in local where !(ch.isASCII && (ch.isLetter || ch.isNumber || ch == "." || atextSymbols.contains(ch))) {
            if ch.isWhitespace { return "the local part has a space; remove it" }
            if ch.unicodeScalars.contains(where: TextTools.isBlank) {
                return "the local part has an invisible character (\(TextTools.describe(ch))); remove it"
            }
            if !ch.isASCII { return "the local part has the non-ASCII character \(TextTools.describe(ch)); use an ASCII address" }
            return "the local part has the character '\(ch)', which is not allowed; remove it"
        }
        return nil
    }

    private static func domainProblem(_ labels: [(original: String, ascii: String?)], length: Int) -> String? {
        if length > 253 { return "the domain is longer than 253 characters" }
        if labels.count < 2 { return "the domain has no dot; add the top-level domain (e.g. example.com)" }
        if labels.count > 2 && labels.dropFirst().dropLast().contains(where: { $0.original.isEmpty }) {
            return "two dots in a row in the domain; remove one"
        }
        if labels[0].original.isEmpty { return "the domain starts with a dot; remove it" }
        if labels[labels.count - 1].original.isEmpty { return "the domain ends with a dot; remove it" }
        for (original, converted) in labels {
            if original.contains(where: \.isWhitespace) {
                return "the domain label '\(original)' has a space; remove it"
            }
            if let hidden = original.first(where: { $0.unicodeScalars.contains(where: TextTools.isBlank) }) {
                return "the domain label '\(original)' has an invisible character (\(TextTools.describe(hidden))); remove it"
            }
            guard let ascii = converted else { return unconvertible(original) }
            if ascii.utf8.count > 63 { return "the domain label '\(original)' is longer than 63 characters" }
            if let bad = ascii.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
                return "the domain label '\(original)' has the character '\(bad)'; only letters, digits and hyphens are allowed"
            }
            if ascii.hasPrefix("-") { return "the domain label '\(original)' starts with a hyphen; remove it" }
            if ascii.hasSuffix("-") { return "the domain label '\(original)' ends with a hyphen; remove it" }
        }
        if let top = labels.last?.original, top.allSatisfy(\.isNumber) {
            return "the top-level domain '\(top)' is all digits; use a domain name, not an IP address"
        }
        return nil
    }
}
