import Foundation

/// Settings of the one HTTP client of a run: timeouts, retries, identity, limits.
public struct TransportConfiguration: Sendable {
    /// Roster's version as sent in `User-Agent`.
    public static let rosterVersion = "0.1.0"

    /// `User-Agent` header value.
    public var userAgent: String
    /// Time allowed to establish a connection.
    public var connectTimeout: Duration
    /// Time allowed between bytes of a response (after the request was sent).
    public var readTimeout: Duration
    /// Time allowed for one call, all attempts and waits included.
    public var totalTimeout: Duration
    /// Default retry policy.
    public var retry: RetryPolicy
    /// Largest response body the transport buffers.
    public var maxResponseBytes: Int

    /// Creates a configuration with defaults suitable for vendor APIs.
    public init(userAgent: String = "Roster/\(TransportConfiguration.rosterVersion)",
                connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60),
                totalTimeout: Duration = .seconds(300), retry: RetryPolicy = .standard,
                maxResponseBytes: Int = 16 * 1024 * 1024) {
        self.userAgent = userAgent
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.totalTimeout = totalTimeout
        self.retry = retry
        self.maxResponseBytes = maxResponseBytes
    }
}

/// HTTP Basic credentials (RFC 7617) for `Authorization`.
public struct BasicCredentials: Sendable, CustomStringConvertible {
    /// The user (Omnigage token key, Whispir username).
    public let user: String
    private let password: String

    /// Creates credentials.
    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// The `Authorization` header value.
    public var authorizationHeader: String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// Never shows the password.
    public var description: String { "BasicCredentials(user: \(user), password: \(Redactor.mask))" }
}
