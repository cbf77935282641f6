import Foundation
import Transport

/// A failure reported by, or about, the Omnigage API.
public enum OmnigageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One `{"detail","code"}` member of the vendor's `errors` array.
    public struct Detail: Sendable, Equatable {
        /// Human-readable reason.
        public var detail: String
        /// The vendor's code (numeric in practice), as text; nil when absent.
        public var code: String?
    }

    /// Required settings are absent (names of the environment variables).
    case missingConfiguration([String])
    /// The API answered with an error status; every `detail` and `code` is kept.
    case api(method: String, path: String, status: Int, details: [Detail], body: String)
    /// The API answered 2xx with a document the client cannot read.
    case unexpectedResponse(method: String, path: String, status: Int, reason: String)
    /// The import did not reach a final state within the time allowed.
    case waitTimedOut(importID: String, lastStatus: String?, seconds: Int)
    /// A stage's input is unusable (e.g. a mapping names a column the header lacks).
    case invalidRequest(String)

    /// What went wrong, with the facts a user needs (path, status, vendor text); never a secret.
    public var description: String {
        switch self {
        case .missingConfiguration(let names):
            return "Omnigage credentials missing: set \(names.joined(separator: ", ")) (or pass them explicitly)"
        case .api(let method, let path, let status, let details, let body):
            let reasons = details.map { detail in
                detail.code.map { "\(detail.detail) (code \($0))" } ?? detail.detail
            }
            let text = reasons.isEmpty ? (body.isEmpty ? "no details" : String(body.prefix(300))) : reasons.joined(separator: "; ")
            return "Omnigage refused \(method) \(path) (HTTP \(status)): \(text)"
        case .unexpectedResponse(let method, let path, let status, let reason):
            return "Omnigage answered \(method) \(path) with HTTP \(status) but \(reason)"
        case .waitTimedOut(let id, let status, let seconds):
            return "import \(id) still '\(status ?? "unknown")' after \(seconds) s"
        case .invalidRequest(let reason):
            return reason
        }
    }

    /// The HTTP status, when the error came from an answer.
    public var status: Int? {
        switch self {
        case .api(_, _, let status, _, _), .unexpectedResponse(_, _, let status, _): return status
        default: return nil
        }
    }

    /// Reads the vendor's `{"errors":[{"detail","code"}]}` body; other bodies give no details.
    static func details(from body: [UInt8]) -> [Detail] {
        guard let document = try? JSONValue.parse(body), let errors = document["errors"]?.arrayValue else { return [] }
        return errors.compactMap { item in
            let code: String?
            switch item["code"] {
            case .integer(let value): code = String(value)
            case .string(let value): code = value
            case .double(let value): code = String(value)
            default: code = nil
            }
            let text = item["detail"]?.stringValue ?? item["title"]?.stringValue
            guard text != nil || code != nil else { return nil }
            return Detail(detail: text ?? "", code: code)
        }
    }
}

extension OmnigageError: ClassifiedFailure {
    /// How this failure should end the run.
    public var failureKind: FailureKind {
        switch self {
        case .missingConfiguration, .invalidRequest: return .configuration
        case .api(_, _, let status, _, _): return FailureKind.forStatus(status)
        case .unexpectedResponse: return .refused
        case .waitTimedOut: return .unavailable
        }
    }
}
