import Foundation

/// A failure of the transport itself (no usable HTTP answer); vendor answers are the clients' errors.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A plain-http URL to a host other than loopback; refused before connecting.
    case insecureURL(String)
    /// A URL that cannot be parsed or has an unsupported scheme.
    case invalidURL(String)
    /// The server could not be reached (connection refused, DNS failure, connect timeout) after all attempts.
    case connectionFailed(method: String, url: String, attempts: Int, reason: String)
    /// The request was sent but failed before a complete answer (reset, read timeout, deadline).
    case requestFailed(method: String, url: String, attempts: Int, reason: String)
    /// The response body was larger than the transport is willing to buffer.
    case responseTooLarge(method: String, url: String, limit: Int)
    /// The client was used after ``HTTPTransport/shutdown()``.
    case shutDown

    /// What went wrong, with the facts a user needs (path, status, vendor text); never a secret.
    public var description: String {
        switch self {
        case .insecureURL(let url):
            return "refusing plain http to \(url): credentials travel only over https (http is allowed to loopback only)"
        case .invalidURL(let url):
            return "invalid URL '\(url)': expected https://host/... (or http:// to a loopback address)"
        case .connectionFailed(let method, let url, let attempts, let reason):
            return "could not connect for \(method) \(url) after \(attempts) attempt(s): \(reason)"
        case .requestFailed(let method, let url, let attempts, let reason):
            return "\(method) \(url) failed after \(attempts) attempt(s): \(reason)"
        case .responseTooLarge(let method, let url, let limit):
            return "\(method) \(url): response body exceeds \(limit) bytes"
        case .shutDown:
            return "the HTTP client was already shut down"
        }
    }
}
