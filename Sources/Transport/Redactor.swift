import Foundation

/// Masks secrets in URLs and headers before anything is logged or put into an error.
///
/// `Redactor.standard.redact(url:)` turns `https://h/p?apikey=abc` into `https://h/p?apikey=***`.
public struct Redactor: Sendable {
    /// The text that replaces a secret value.
    public static let mask = "***"

    /// Header names (compared case-insensitively) whose values are always masked.
    public let sensitiveHeaders: Set<String>
    /// Query and form parameter names (compared case-insensitively) whose values are always masked.
    public let sensitiveParameters: Set<String>

    /// The redactor used by every transport log line and error message.
    public static let standard = Redactor(
        sensitiveHeaders: ["authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie", "x-amz-security-token"],
        sensitiveParameters: [
            "apikey", "api_key", "policy", "signature", "awsaccesskeyid", "x-amz-signature",
            "x-amz-credential", "x-amz-security-token", "password", "secret",
        ]
    )

    /// Creates a redactor with the given lower-case names.
    public init(sensitiveHeaders: Set<String>, sensitiveParameters: Set<String>) {
        self.sensitiveHeaders = Set(sensitiveHeaders.map { $0.lowercased() })
        self.sensitiveParameters = Set(sensitiveParameters.map { $0.lowercased() })
    }

    /// Whether a header's value must be masked.
    public func isSensitive(header name: String) -> Bool {
        let lower = name.lowercased()
        return sensitiveHeaders.contains(lower) || sensitiveParameters.contains(lower)
    }

    /// Whether a query or form parameter's value must be masked.
    public func isSensitive(parameter name: String) -> Bool {
        sensitiveParameters.contains(name.lowercased())
    }

    /// The header value as it may be shown: masked when the header is sensitive.
    public func redact(header name: String, value: String) -> String {
        isSensitive(header: name) ? Self.mask : value
    }

    /// Headers rendered as `name: value` pairs with sensitive values masked.
    public func redact(headers: [(String, String)]) -> [(String, String)] {
        headers.map { ($0.0, redact(header: $0.0, value: $0.1)) }
    }

    /// The URL with user info removed and sensitive query values masked; the rest is kept verbatim.
    public func redact(url: String) -> String {
        var text = url
        // user:password@host
        if let schemeEnd = text.range(of: "://") {
            let afterScheme = text[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
            let authority = text[schemeEnd.upperBound..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                text.replaceSubrange(schemeEnd.upperBound...at, with: "\(Self.mask)@")
            }
        }
        guard let questionMark = text.firstIndex(of: "?") else { return text }
        let fragmentStart = text[questionMark...].firstIndex(of: "#") ?? text.endIndex
        let query = text[text.index(after: questionMark)..<fragmentStart]
        let redactedQuery = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = String(pair[..<equals])
            let decodedName = name.removingPercentEncoding ?? name
            return isSensitive(parameter: decodedName) ? "\(name)=\(Self.mask)" : String(pair)
        }.joined(separator: "&")
        return String(text[...questionMark]) + redactedQuery + String(text[fragmentStart...])
    }

    /// Masks secrets that may appear inside free text (an echoed URL, a form dump): `name=value` pairs
    /// for sensitive parameter names, and `Basic`/`Bearer` credentials.
    public func redact(text: String) -> String {
        var result = text
        for name in sensitiveParameters {
            result = Self.maskAssignments(of: name, in: result)
        }
        for scheme in ["Basic ", "Bearer "] {
            result = Self.maskToken(after: scheme, in: result)
        }
        return result
    }

    private static func maskAssignments(of name: String, in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let range = rest.range(of: name + "=", options: .caseInsensitive) {
            let precededByName = range.lowerBound > rest.startIndex
                && isNameCharacter(rest[rest.index(before: range.lowerBound)])
            output += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            if precededByName { continue }
            let end = rest.firstIndex(where: { "&\" \n\r\t,;<".contains($0) }) ?? rest.endIndex
            if end > rest.startIndex { output += mask }
            rest = rest[end...]
        }
        return output + rest
    }

    private static func maskToken(after scheme: String, in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let range = rest.range(of: scheme) {
            output += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            let end = rest.firstIndex(where: { " \n\r\t\",;".contains($0) }) ?? rest.endIndex
            if end > rest.startIndex { output += mask }
            rest = rest[end...]
        }
        return output + rest
    }

    private static func isNameCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "-"
    }
}
