import Foundation

/// One HTTP request as the clients describe it; the transport adds `User-Agent` and applies retries.
public struct TransportRequest: Sendable {
    /// HTTP method, upper-case (`GET`, `POST`).
    public var method: String
    /// Absolute URL.
    public var url: String
    /// Header fields in order; repeated names allowed.
    public var headers: [(String, String)]
    /// The request body.
    public var body: TransportBody
    /// Whether the request may be repeated after a failure.
    public var safety: RetrySafety
    /// Overrides the transport's retry policy for this request.
    public var retry: RetryPolicy?
    /// Overrides the transport's total timeout (all attempts and waits included).
    public var totalTimeout: Duration?
    /// Decides which answers are transient; defaults to ``standardResponseClassifier``.
    public var classifier: ResponseClassifier

    /// Creates a request.
    public init(method: String, url: String, headers: [(String, String)] = [], body: TransportBody = .none,
                safety: RetrySafety = .idempotent, retry: RetryPolicy? = nil, totalTimeout: Duration? = nil,
                classifier: @escaping ResponseClassifier = standardResponseClassifier) {
        self.method = method.uppercased()
        self.url = url
        self.headers = headers
        self.body = body
        self.safety = safety
        self.retry = retry
        self.totalTimeout = totalTimeout
        self.classifier = classifier
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// A request body: nothing, bytes in memory, or a stream produced afresh for every attempt.
public enum TransportBody: Sendable {
    /// No body.
    case none
    /// A body held in memory.
    case bytes([UInt8])
    /// A streamed body of exactly `length` bytes; `source` is asked for a new reader on every attempt.
    case stream(length: Int64, source: any BodyChunkSource)

    /// The body's length in bytes.
    public var length: Int64 {
        switch self {
        case .none: return 0
        case .bytes(let bytes): return Int64(bytes.count)
        case .stream(let length, _): return length
        }
    }
}

/// Produces readers over a streamed body; one reader per attempt.
public protocol BodyChunkSource: Sendable {
    /// A fresh reader positioned at the body's first byte.
    func makeReader() throws -> any BodyChunkReader
}

/// Reads a streamed body chunk by chunk; `nil` ends the body.
public protocol BodyChunkReader {
    /// The next chunk, or nil at the end.
    mutating func next() async throws -> [UInt8]?
}

/// An HTTP answer with its body fully read (the clients' answers are small JSON or XML documents).
public struct TransportResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields in order.
    public var headers: [(String, String)]
    /// Body bytes.
    public var body: [UInt8]
    /// The URL the request went to, secrets redacted.
    public var url: String
    /// How many attempts it took.
    public var attempts: Int

    /// Creates a response (used by tests and by the transport).
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], url: String = "", attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.attempts = attempts
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
