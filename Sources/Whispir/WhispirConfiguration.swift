import Foundation
import Transport

/// Media type of the import request: the seed's `import-v1` (default) or the newer `importcontact-v1`.
public enum WhispirImportMediaType: String, Sendable, CaseIterable {
    /// `application/vnd.whispir.import-v1+json`, as the seed document sends.
    case importV1 = "application/vnd.whispir.import-v1+json"
    /// `application/vnd.whispir.importcontact-v1+json`, as the OpenAPI spec and SDK send.
    case importContactV1 = "application/vnd.whispir.importcontact-v1+json"
}

/// Where `importMode` goes in the import request.
public enum WhispirImportModePlacement: String, Sendable, CaseIterable {
    /// Inside `importOptions`, as the seed and the Postman collection send (default).
    case insideImportOptions
    /// At the top level, beside `importOptions`, as the OpenAPI schema says.
    case topLevel
}

/// Where and as whom the Whispir client talks: API key, user, base URL (from a region), workspace.
///
/// ```swift
/// let config = try WhispirConfiguration.fromEnvironment(workspace: "9A4C5521FFC7B15B")
/// let sandbox = WhispirConfiguration(apiKey: "k", username: "u", password: "p", baseURL: "http://127.0.0.1:8080")
/// ```
public struct WhispirConfiguration: Sendable, CustomStringConvertible {
    /// Regions with their own API host `https://api.<region>.whispir.com`.
    public static let regions = ["au", "ap", "ap1", "nz", "us", "it", "education"]

    /// The API key, sent as `x-api-key` and (by default) as the `apikey` query parameter.
    public var apiKey: String
    /// Whispir user, sent as HTTP Basic credentials.
    public var credentials: BasicCredentials
    /// Base URL without a trailing slash.
    public var baseURL: String
    /// Default workspace id; nil means the company's default workspace ("My Company").
    public var workspace: String?
    /// Import request media type.
    public var importMediaType: WhispirImportMediaType
    /// Where `importMode` is placed.
    public var importModePlacement: WhispirImportModePlacement
    /// Whether the key also goes in the `apikey` query parameter (the 2018 gateway's rule).
    public var sendAPIKeyInQuery: Bool
    /// Retries for rate limits (OVER_QPS, 429) and transient answers; nil uses the run's (`--retries`).
    public var retry: RetryPolicy?
    /// Largest request body sent (Whispir's 413 limit); CSV imports are split to stay under it.
    public var requestLimit: Int

    /// Creates a configuration for an explicit base URL (the sandbox, a test server, a proxy).
    public init(apiKey: String, username: String, password: String, baseURL: String, workspace: String? = nil,
                importMediaType: WhispirImportMediaType = .importV1,
                importModePlacement: WhispirImportModePlacement = .insideImportOptions,
                sendAPIKeyInQuery: Bool = true,
                retry: RetryPolicy? = nil,
                requestLimit: Int = 10_485_760) {
        self.apiKey = apiKey
        self.credentials = BasicCredentials(user: username, password: password)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.workspace = workspace
        self.importMediaType = importMediaType
        self.importModePlacement = importModePlacement
        self.sendAPIKeyInQuery = sendAPIKeyInQuery
        self.retry = retry
        self.requestLimit = requestLimit
    }

    /// Creates a configuration for a region (`au`, `ap`, `ap1`, `nz`, `us`, `it`, `education`).
    public init(apiKey: String, username: String, password: String, region: String, workspace: String? = nil) throws(WhispirError) {
        self.init(apiKey: apiKey, username: username, password: password,
                  baseURL: try Self.baseURL(region: region), workspace: workspace)
    }

    /// `https://api.<region>.whispir.com`; `edu` is accepted for `education`.
    public static func baseURL(region: String) throws(WhispirError) -> String {
        var name = region.lowercased().trimmingCharacters(in: .whitespaces)
        if name == "edu" { name = "education" }
        guard regions.contains(name) else { throw .unknownRegion(region) }
        return "https://api.\(name).whispir.com"
    }

    /// Reads `WHISPIR_API_KEY`, `WHISPIR_USERNAME`, `WHISPIR_PASSWORD`, then `WHISPIR_BASE_URL` or
    /// `WHISPIR_REGION`; explicit arguments win. Throws ``WhispirError/missingConfiguration(_:)``.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       apiKey: String? = nil, username: String? = nil, password: String? = nil,
                                       region: String? = nil, baseURL: String? = nil,
                                       workspace: String? = nil) throws(WhispirError) -> WhispirConfiguration {
        func value(_ explicit: String?, _ name: String) -> String? {
            if let explicit, !explicit.isEmpty { return explicit }
            if let found = environment[name], !found.isEmpty { return found }
            return nil
        }
        let key = value(apiKey, "WHISPIR_API_KEY")
        let user = value(username, "WHISPIR_USERNAME")
        let secret = value(password, "WHISPIR_PASSWORD")
        // An explicit region beats an environment base URL; an explicit base URL beats both.
        let base: String?
        if let baseURL, !baseURL.isEmpty {
            base = baseURL
        } else if let region, !region.isEmpty {
            base = try Self.baseURL(region: region)
        } else if let found = value(nil, "WHISPIR_BASE_URL") {
            base = found
        } else if let found = value(nil, "WHISPIR_REGION") {
            base = try Self.baseURL(region: found)
        } else {
            base = nil
        }
        var missing: [String] = []
        if key == nil { missing.append("WHISPIR_API_KEY") }
        if user == nil { missing.append("WHISPIR_USERNAME") }
        if secret == nil { missing.append("WHISPIR_PASSWORD") }
        if base == nil { missing.append("WHISPIR_REGION or WHISPIR_BASE_URL") }
        guard let key, let user, let secret, let base else { throw .missingConfiguration(missing) }
        return WhispirConfiguration(apiKey: key, username: user, password: secret, baseURL: base,
                                    workspace: value(workspace, "WHISPIR_WORKSPACE"))
    }

    /// Shows user, base URL and workspace; never the key or password.
    public var description: String {
        "Whispir(user: \(credentials.user), apiKey: \(Redactor.mask), base: \(baseURL), workspace: \(workspace ?? "default"))"
    }
}
