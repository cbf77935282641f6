import Foundation

/// How often and how patiently a request is repeated after a transient failure.
///
/// Delays grow as `baseDelay * 2^(attempt-1)`, capped by `maxDelay`; `jitter` of it is random (1, the
/// default, is "full jitter": anywhere from 0 to the cap, so clients that failed together do not retry
/// together). A server's `Retry-After` replaces the computed delay (capped by `maxRetryAfter`); a rate
/// limit without one waits at least a second.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first one (1 = never retry).
    public var maxAttempts: Int
    /// Delay before the first retry.
    public var baseDelay: Duration
    /// Largest computed delay.
    public var maxDelay: Duration
    /// Fraction (0...1) of the delay that is randomised: the wait is drawn from `(1 - jitter) * d ... d`.
    public var jitter: Double
    /// Largest `Retry-After` the transport honours; a longer one ends the retries.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
                jitter: Double = 1, maxRetryAfter: Duration = .seconds(120)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
        self.maxRetryAfter = maxRetryAfter
    }

    /// The default for vendor API calls.
    public static let standard = RetryPolicy()
    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The computed back-off before retry number `retry` (1-based), jitter included.
    public func delay(forRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let raw = baseDelay * (1 << exponent)
        let capped = raw > maxDelay ? maxDelay : raw
        guard jitter > 0 else { return capped }
        let factor = 1 - jitter + Double.random(in: 0...jitter)
        return capped * factor
    }
}

/// Whether a request may be repeated, decided per request.
public enum RetrySafety: Sendable, Equatable {
    /// Reads and idempotent writes: retried on connection errors, timeouts, 429, 502, 503, 504.
    case idempotent
    /// A POST that creates something: repeated only when it surely did not reach the server
    /// (connection never established) or when the server refused it outright with a rate-limit answer.
    case createsResource
}

/// What to do with one HTTP answer, as decided by a ``ResponseClassifier``.
public enum RetryDecision: Sendable, Equatable {
    /// Hand the response to the caller.
    case accept
    /// A transient answer: try again (after `Retry-After` when present, else back-off).
    case retry(reason: String)
    /// An explicit "too many requests" answer: the request was refused unprocessed, so even a
    /// creating POST may be repeated.
    case rateLimited(reason: String)
}

/// Maps a response to a ``RetryDecision``; clients supply their own for vendor-specific limits.
public typealias ResponseClassifier = @Sendable (TransportResponse) -> RetryDecision

/// The standard classification: 429 is a rate limit; 502, 503 and 504 are transient.
public let standardResponseClassifier: ResponseClassifier = { response in
    switch response.status {
    case 429: return .rateLimited(reason: "429 Too Many Requests")
    case 502, 503, 504: return .retry(reason: "HTTP \(response.status)")
    default: return .accept
    }
}

/// Parses `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// The delay the header asks for, relative to `now`; nil when absent or unreadable.
    public static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds >= 0, seconds.isFinite {
            return .milliseconds(Int64(seconds * 1000))
        }
        guard let date = HTTPDate.parse(text) else { return nil }
        let interval = date.timeIntervalSince(now)
        return .milliseconds(Int64(max(0, interval) * 1000))
    }
}

/// HTTP dates (IMF-fixdate and the two obsolete forms), as used by `Retry-After` and `expires-at`.
public enum HTTPDate {
    /// Parses `Sun, 06 Nov 1994 08:49:37 GMT` and the RFC 850 / asctime forms.
    public static func parse(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// Formats `date` as an IMF-fixdate.
    public static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
