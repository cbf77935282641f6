import Foundation
import Transport

/// Where and as whom the Omnigage client talks: account key, API token (key and secret), base URL.
///
/// ```swift
/// let config = try OmnigageConfiguration.fromEnvironment(accountKey: "firstbank")
/// let sandbox = OmnigageConfiguration(accountKey: "firstbank", key: "k", secret: "s", baseURL: "http://127.0.0.1:8080/api/v1")
/// ```
public struct OmnigageConfiguration: Sendable, CustomStringConvertible {
    /// The production API base.
    public static let defaultBaseURL = "https://api.omnigage.io/api/v1"

    /// Account key sent as `X-Account-Key` (e.g. `firstbank`).
    public var accountKey: String
    /// API token key and secret, sent as HTTP Basic credentials.
    public var credentials: BasicCredentials
    /// API base URL without a trailing slash (`https://api.omnigage.io/api/v1`).
    public var baseURL: String

    /// Creates a configuration; `baseURL` is checked for https (or loopback http) when used.
    public init(accountKey: String, key: String, secret: String, baseURL: String = OmnigageConfiguration.defaultBaseURL) {
        self.accountKey = accountKey
        self.credentials = BasicCredentials(user: key, password: secret)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// Reads `OMNIGAGE_KEY`, `OMNIGAGE_SECRET`, `OMNIGAGE_ACCOUNT_KEY`, `OMNIGAGE_BASE_URL`; explicit
    /// arguments win over the environment. Throws ``OmnigageError/missingConfiguration(_:)`` naming what is absent.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       accountKey: String? = nil, key: String? = nil, secret: String? = nil,
                                       baseURL: String? = nil) throws(OmnigageError) -> OmnigageConfiguration {
        func value(_ explicit: String?, _ name: String) -> String? {
            if let explicit, !explicit.isEmpty { return explicit }
            if let found = environment[name], !found.isEmpty { return found }
            return nil
        }
        let account = value(accountKey, "OMNIGAGE_ACCOUNT_KEY")
        let tokenKey = value(key, "OMNIGAGE_KEY")
        let tokenSecret = value(secret, "OMNIGAGE_SECRET")
        var missing: [String] = []
        if account == nil { missing.append("OMNIGAGE_ACCOUNT_KEY") }
        if tokenKey == nil { missing.append("OMNIGAGE_KEY") }
        if tokenSecret == nil { missing.append("OMNIGAGE_SECRET") }
        guard let account, let tokenKey, let tokenSecret else { throw .missingConfiguration(missing) }
        return OmnigageConfiguration(accountKey: account, key: tokenKey, secret: tokenSecret,
                                     baseURL: value(baseURL, "OMNIGAGE_BASE_URL") ?? defaultBaseURL)
    }

    /// Shows the account and base URL, never the secret.
    public var description: String {
        "Omnigage(account: \(accountKey), key: \(credentials.user), secret: \(Redactor.mask), base: \(baseURL))"
    }
}
