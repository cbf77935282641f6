import Foundation
import Transport

/// A failure reported by, or about, the Whispir API.
public enum WhispirError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Required settings are absent (names of the environment variables).
    case missingConfiguration([String])
    /// A region other than au, ap, ap1, nz, us, it, education.
    case unknownRegion(String)
    /// The API answered with an error status; Whispir's three texts and `X-Error-Code` are kept.
    case api(method: String, path: String, status: Int, summary: String, text: String, detail: String, errorCode: String?)
    /// The daily request quota is used up (403 `…OVER_QPD`); waiting will not help today.
    case overDailyQuota(method: String, path: String, detail: String)
    /// A 2xx answer the client cannot use (e.g. no resource id anywhere).
    case unexpectedResponse(method: String, path: String, status: Int, reason: String)
    /// A resource that cannot be created as given (MIME type, size, empty content).
    case invalidResource(String)
    /// The field mapping is unusable; every problem is listed. Nothing was sent.
    case invalidMapping([String])
    /// The CSV cannot be split (no header, or a single row too large for one request).
    case unsplittableCSV(String)

    /// What went wrong, with the facts a user needs (path, status, vendor text); never a secret.
    public var description: String {
        switch self {
        case .missingConfiguration(let names):
            return "Whispir settings missing: set \(names.joined(separator: ", ")) (or pass them explicitly)"
        case .unknownRegion(let region):
            return "unknown Whispir region '\(region)': use one of \(WhispirConfiguration.regions.joined(separator: ", ")) or a base URL"
        case .api(let method, let path, let status, let summary, let text, let detail, let code):
            let parts = [text, summary, detail, code.map { "X-Error-Code \($0)" } ?? ""].filter { !$0.isEmpty }
            return "Whispir refused \(method) \(path) (HTTP \(status)): \(parts.isEmpty ? "no details" : parts.joined(separator: " — "))"
        case .overDailyQuota(let method, let path, let detail):
            return "Whispir's daily request quota is used up (\(method) \(path)): \(detail.isEmpty ? "Account Over Queries Per Day Limit" : detail); try again tomorrow"
        case .unexpectedResponse(let method, let path, let status, let reason):
            return "Whispir answered \(method) \(path) with HTTP \(status) but \(reason)"
        case .invalidResource(let reason):
            return reason
        case .invalidMapping(let problems):
            return "invalid Whispir field mapping (nothing was sent):\n  - " + problems.joined(separator: "\n  - ")
        case .unsplittableCSV(let reason):
            return "cannot split the CSV for Whispir: \(reason)"
        }
    }

    /// The HTTP status, when the error came from an answer.
    public var status: Int? {
        switch self {
        case .api(_, _, let status, _, _, _, _), .unexpectedResponse(_, _, let status, _): return status
        case .overDailyQuota: return 403
        default: return nil
        }
    }

    static func from(_ response: TransportResponse, method: String, path: String) -> WhispirError {
        let errorCode = response.header("X-Error-Code")
        if response.status == 403, let errorCode, errorCode.uppercased().hasSuffix("OVER_QPD") {
            return .overDailyQuota(method: method, path: path, detail: response.header("X-Error-Detail") ?? "")
        }
        var summary = "", text = "", detail = ""
        if let document = try? JSONValue.parse(response.body), document.objectValue != nil {
            summary = document["errorSummary"]?.stringValue ?? ""
            text = document["errorText"]?.stringValue ?? ""
            detail = document["errorDetail"]?.stringValue ?? ""
        } else if !response.body.isEmpty {
            text = Redactor.standard.redact(text: String(response.text.prefix(500)))
        }
        if text.isEmpty, summary.isEmpty, let headerDetail = response.header("X-Error-Detail") { text = headerDetail }
        return .api(method: method, path: path, status: response.status, summary: summary, text: text,
                    detail: Redactor.standard.redact(text: detail), errorCode: errorCode)
    }
}

extension WhispirError: ClassifiedFailure {
    /// How this failure should end the run.
    public var failureKind: FailureKind {
        switch self {
        case .missingConfiguration, .unknownRegion, .invalidResource, .invalidMapping, .unsplittableCSV: return .configuration
        case .api(_, _, let status, _, _, _, let code):
            if let code, code.uppercased().hasSuffix("OVER_QPS") { return .unavailable }
            return FailureKind.forStatus(status)
        case .overDailyQuota, .unexpectedResponse: return .refused
        }
    }
}
