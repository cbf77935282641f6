import Foundation
import Digests

/// An S3 browser-POST policy document: parsed from its base64 form and evaluated against a form,
/// following docs/api/s3-post.md §4 and §10. Pure values, no I/O.
public struct PostPolicy: Sendable, Equatable {
    /// One policy condition, with its JSON text kept for error messages.
    public enum Condition: Sendable, Equatable {
        case equals(field: String, value: String, text: String)
        case startsWith(field: String, prefix: String, text: String)
        case contentLengthRange(min: Int64, max: Int64, text: String)

        /// Lower-cased field name the condition covers (`nil` for the length range).
        var field: String? {
            switch self {
            case let .equals(field, _, _), let .startsWith(field, _, _): return field
            case .contentLengthRange: return nil
            }
        }

        var text: String {
            switch self {
            case let .equals(_, _, text), let .startsWith(_, _, text), let .contentLengthRange(_, _, text): return text
            }
        }
    }

    /// After this instant the form is refused (`Policy expired.`).
    public var expiration: Date
    /// Every condition the form must meet, in document order.
    public var conditions: [Condition]

    /// A policy from its parts (tests and writers; servers use `parse(base64:)`).
    public init(expiration: Date, conditions: [Condition]) {
        self.expiration = expiration
        self.conditions = conditions
    }

    /// Fields that never need a condition (s3-post.md §4).
    static let exemptFields: Set<String> = ["awsaccesskeyid", "signature", "file", "policy", "x-amz-signature"]

    /// Decodes the `policy` form field: base64, UTF-8 JSON, `expiration` and `conditions`.
    public static func parse(base64 policy: String) throws(S3Error) -> PostPolicy {
        guard let data = Data(base64Encoded: policy) else { throw S3Error.invalidPolicy("the policy is not valid base64") }
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch {
            throw S3Error.invalidPolicy("the policy is not valid JSON (\(error))")
        }
        guard case .object = json else { throw S3Error.invalidPolicy("the policy must be a JSON object") }
        guard let expirationText = json["expiration"]?.stringValue else {
            throw S3Error.invalidPolicy("Policy missing expiration.")
        }
        guard let expiration = parseISO8601(expirationText) else {
            throw S3Error.invalidPolicy("Invalid 'expiration' value: '\(expirationText)'")
        }
        guard let list = json["conditions"]?.arrayValue else { throw S3Error.invalidPolicy("Policy missing conditions.") }
        var conditions: [Condition] = []
        for item in list { conditions.append(try parseCondition(item)) }
        return PostPolicy(expiration: expiration, conditions: conditions)
    }

    static func parseCondition(_ item: JSONValue) throws(S3Error) -> Condition {
        let text = item.serialized()
        if let members = item.objectValue {
            guard members.count == 1, let value = members[0].1.stringValue else {
                throw S3Error.invalidPolicy("Each condition object must name exactly one field with a string value: \(text)")
            }
            return .equals(field: members[0].0.lowercased(), value: value, text: text)
        }
        guard let parts = item.arrayValue, let op = parts.first?.stringValue?.lowercased() else {
            throw S3Error.invalidPolicy("Invalid condition: \(text)")
        }
        switch op {
        case "eq", "starts-with":
            guard parts.count == 3, let name = parts[1].stringValue, name.hasPrefix("$"),
                  let value = parts[2].stringValue else {
                throw S3Error.invalidPolicy("Invalid condition: \(text)")
            }
            let field = String(name.dropFirst()).lowercased()
            return op == "eq" ? .equals(field: field, value: value, text: text)
                              : .startsWith(field: field, prefix: value, text: text)
        case "content-length-range":
            guard parts.count == 3, let min = integer(parts[1]), let max = integer(parts[2]), min >= 0, min <= max else {
                throw S3Error.invalidPolicy("Invalid content-length-range: \(text)")
            }
            return .contentLengthRange(min: min, max: max, text: text)
        default:
            throw S3Error.invalidPolicy("Invalid condition operator '\(op)': \(text)")
        }
    }

    private static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case let .number(n) where n.rounded() == n: return Int64(exactly: n)
        case let .string(s): return Int64(s)
        default: return nil
        }
    }

    /// ISO 8601 UTC with or without fractional seconds (`…:00.000Z` and `…:00Z`).
    static func parseISO8601(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }

    /// Checks expiry, every condition except the length range, and that every field is covered.
    /// `fields` are the form fields before the file, names lower-cased, `${filename}` already expanded.
    public func evaluate(fields: [(name: String, value: String)], bucket: String, now: Date) -> S3Error? {
        if now >= expiration { return .policyDenied("Policy expired.") }
        var values: [String: String] = [:]
        for (name, value) in fields {
            let key = name.lowercased()
            // Repeated fields are compared as one comma-joined value.
            values[key] = values[key].map { "\($0),\(value)" } ?? value
        }
        values["bucket"] = bucket
        for condition in conditions {
            switch condition {
            case let .equals(field, expected, text):
                guard values[field] == expected else { return .policyDenied("Policy Condition failed: \(text)") }
            case let .startsWith(field, prefix, text):
                guard let actual = values[field], actual.hasPrefix(prefix) else {
                    return .policyDenied("Policy Condition failed: \(text)")
                }
            case .contentLengthRange:
                continue
            }
        }
        let covered = Set(conditions.compactMap(\.field))
        for (name, _) in fields {
            let key = name.lowercased()
            if covered.contains(key) || Self.exemptFields.contains(key) || key.hasPrefix("x-ignore-") { continue }
            return .policyDenied("Extra input fields: \(name)")
        }
        return nil
    }

    /// The size bounds from `content-length-range` (the tightest if several are given).
    public var lengthRange: ClosedRange<Int64>? {
        var lower: Int64?
        var upper: Int64?
        for case let .contentLengthRange(min, max, _) in conditions {
            lower = Swift.max(lower ?? min, min)
            upper = Swift.min(upper ?? max, max)
        }
        guard let lower, let upper, lower <= upper else { return nil }
        return lower...upper
    }

    /// The error for a file of `size` bytes, or `nil` if the size is allowed.
    public func checkLength(_ size: Int64) -> S3Error? {
        guard let range = lengthRange else { return nil }
        if size > range.upperBound {
            return S3Error(status: 400, code: "EntityTooLarge", message: "Your proposed upload exceeds the maximum allowed size",
                           extra: [("ProposedSize", String(size)), ("MaxSizeAllowed", String(range.upperBound))])
        }
        if size < range.lowerBound {
            return S3Error(status: 400, code: "EntityTooSmall", message: "Your proposed upload is smaller than the minimum allowed size",
                           extra: [("ProposedSize", String(size)), ("MinSizeAllowed", String(range.lowerBound))])
        }
        return nil
    }
}

/// AWS Signature Version 2 for POST policies: base64 of HMAC-SHA1 over the base64 policy string.
public enum SignatureV2 {
    /// The `signature` form field for `policy` (the base64 string, exactly as sent).
    public static func sign(policy: String, secret: String) -> String {
        let mac = DigestAlgorithm.sha1.hmac(key: secret.utf8, message: policy.utf8)
        return Data(mac).base64EncodedString()
    }

    /// Constant-time comparison of a presented signature with the expected one.
    public static func verify(policy: String, signature: String, secret: String) -> Bool {
        let expected = Array(sign(policy: policy, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(expected, given) { diff |= a ^ b }
        return diff == 0
    }
}

/// AWS Signature Version 4 for POST policies: hex HMAC-SHA256 of the base64 policy with the derived key.
public enum SignatureV4 {
    /// `date` is `yyyymmdd` and `region` e.g. `us-west-1`, as in the credential scope.
    public static func sign(policy: String, secret: String, date: String, region: String) -> String {
        var key = Array("AWS4\(secret)".utf8)
        for part in [date, region, "s3", "aws4_request"] { key = DigestAlgorithm.sha256.hmac(key: key, message: part.utf8) }
        let mac = DigestAlgorithm.sha256.hmac(key: key, message: policy.utf8)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Writes policy documents in the layout Omnigage's recordings show.
enum PostPolicyWriter {
    /// `{"expiration": …, "conditions": [{"acl": …}, {"bucket": …}, ["starts-with", "$key", …], …]}` as text.
    static func omnigagePolicy(expiration: Date, acl: String, bucket: String, keyPrefix: String, maxLength: Int64) -> String {
        func quoted(_ s: String) -> String {
            var out = ""
            JSONValue.writeString(s, to: &out)
            return out
        }
        return "{\"expiration\": \(quoted(iso8601Millis(expiration))), \"conditions\": ["
            + "{\"acl\": \(quoted(acl))}, {\"bucket\": \(quoted(bucket))}, "
            + "[\"starts-with\", \"$key\", \(quoted(keyPrefix))], [\"starts-with\", \"$Content-Type\", \"\"], "
            + "[\"content-length-range\", 0, \(maxLength)]]}"
    }

    /// `2030-01-01T00:00:00.000Z`.
    static func iso8601Millis(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
