import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The single HTTP client of a run: owns AsyncHTTPClient, applies timeouts, retries with back-off,
/// the loopback-only rule for plain http, and redacted request logging. Call ``shutdown()`` once.
///
/// ```swift
/// let transport = HTTPTransport(logger: logger)
/// defer { Task { try? await transport.shutdown() } }
/// let answer = try await transport.send(TransportRequest(method: "GET", url: "https://api.example/x"))
/// ```
public final class HTTPTransport: Sendable {
    /// The settings this transport was created with.
    public let configuration: TransportConfiguration
    /// Where request lines, retries and limits are logged (debug/info).
    public let logger: Logger
    private let client: HTTPClient
    private let state = LockedState(isShutDown: false)

    /// Creates the transport and its HTTP client. Redirects are never followed, so credentials
    /// cannot leak to another origin.
    public init(configuration: TransportConfiguration = TransportConfiguration(), logger: Logger = Logger(label: "roster.transport")) {
        self.configuration = configuration
        self.logger = logger
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.readTimeout)),
            decompression: .disabled
        )
        // Connection failures surface at once so this transport's own policy decides about retries.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    /// A transport dropped without ``shutdown()`` (e.g. a script error unwinding) still releases its
    /// connections instead of leaking them.
    deinit {
        if state.markShutDown() {
            _ = client.shutdown()
        }
    }

    /// Shuts the HTTP client down; later calls do nothing.
    public func shutdown() async throws {
        guard state.markShutDown() else { return }
        try await client.shutdown()
    }

    /// Sends `request`, retrying transient failures as its ``RetrySafety`` and the policy allow.
    /// Returns the last answer whatever its status; throws ``TransportError`` when none was obtained.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try EndpointPolicy.check(request.url)
        guard !state.isShutDown else { throw TransportError.shutDown }
        let policy = request.retry ?? configuration.retry
        let clock = ContinuousClock()
        let deadline = clock.now + (request.totalTimeout ?? configuration.totalTimeout)
        let shownURL = Redactor.standard.redact(url: request.url)
        var attempt = 0
        while true {
            attempt += 1
            let started = clock.now
            let remaining = deadline - started
            logRequest(request, url: shownURL, attempt: attempt, of: policy.maxAttempts)
            let outcome: Result<TransportResponse, any Error>
            do {
                outcome = .success(try await execute(request, attempt: attempt, remaining: remaining))
            } catch {
                outcome = .failure(error)
            }
            let elapsed = clock.now - started
            let canRetry = attempt < policy.maxAttempts
            switch outcome {
            case .success(let response):
                logger.debug("HTTP response", metadata: [
                    "method": .string(request.method), "url": .string(shownURL), "status": .stringConvertible(response.status),
                    "ms": .stringConvertible(milliseconds(elapsed)), "headers": .string(render(response.headers)),
                ])
                let decision = request.classifier(response)
                let reason: String
                switch decision {
                case .accept:
                    return response
                case .retry(let why):
                    guard request.safety == .idempotent else { return response }
                    reason = why
                case .rateLimited(let why):
                    reason = why
                }
                guard canRetry else {
                    logger.info("giving up after retries", metadata: [
                        "url": .string(shownURL), "reason": .string(reason), "attempts": .stringConvertible(attempt),
                    ])
                    return response
                }
                var wait = policy.delay(forRetry: attempt)
                // Vendors' rate limits are per second: without a Retry-After, waiting less only spends attempts.
                if case .rateLimited = decision, wait < .seconds(1) { wait = .seconds(1) }
                if let asked = RetryAfter.parse(response.header("Retry-After")) {
                    guard asked <= policy.maxRetryAfter else {
                        logger.info("Retry-After exceeds the limit; not waiting", metadata: [
                            "url": .string(shownURL), "retry_after_s": .stringConvertible(asked.components.seconds),
                        ])
                        return response
                    }
                    wait = asked
                }
                guard clock.now + wait < deadline else { return response }
                logger.info("retrying", metadata: [
                    "method": .string(request.method), "url": .string(shownURL), "reason": .string(reason),
                    "attempt": .stringConvertible(attempt + 1), "of": .stringConvertible(policy.maxAttempts),
                    "wait_ms": .stringConvertible(milliseconds(wait)),
                ])
                try await Task.sleep(for: wait)
            case .failure(let error):
                if let transportError = error as? TransportError { throw transportError }
                if error is CancellationError { throw error }
                let neverConnected = Self.isConnectFailure(error)
                let reason = Self.describe(error)
                let retryable = neverConnected || (request.safety == .idempotent && Self.isTransient(error))
                let wait = policy.delay(forRetry: attempt)
                guard retryable, canRetry, clock.now + wait < deadline, !Task.isCancelled else {
                    logger.info("request failed", metadata: [
                        "method": .string(request.method), "url": .string(shownURL), "reason": .string(reason),
                        "attempts": .stringConvertible(attempt),
                    ])
                    if neverConnected {
                        throw TransportError.connectionFailed(method: request.method, url: shownURL, attempts: attempt, reason: reason)
                    }
                    throw TransportError.requestFailed(method: request.method, url: shownURL, attempts: attempt, reason: reason)
                }
                logger.info("retrying", metadata: [
                    "method": .string(request.method), "url": .string(shownURL), "reason": .string(reason),
                    "attempt": .stringConvertible(attempt + 1), "of": .stringConvertible(policy.maxAttempts),
                    "wait_ms": .stringConvertible(milliseconds(wait)),
                ])
                try await Task.sleep(for: wait)
            }
        }
    }

    private func execute(_ request: TransportRequest, attempt: Int, remaining: Duration) async throws -> TransportResponse {
        guard remaining > .zero else {
            throw TransportError.requestFailed(method: request.method, url: Redactor.standard.redact(url: request.url),
                                               attempts: attempt - 1, reason: "total timeout reached")
        }
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        if !outgoing.headers.contains(name: "User-Agent") {
            outgoing.headers.add(name: "User-Agent", value: configuration.userAgent)
        }
        switch request.body {
        case .none:
            break
        case .bytes(let bytes):
            outgoing.body = .bytes(ByteBuffer(bytes: bytes))
        case .stream(let length, let source):
            outgoing.body = .stream(ChunkSequence(source: source), length: .known(length))
        }
        let response = try await client.execute(outgoing, timeout: TimeAmount(remaining), logger: nil)
        let limit = configuration.maxResponseBytes
        var collected = [UInt8]()
        for try await part in response.body {
            guard collected.count + part.readableBytes <= limit else {
                throw TransportError.responseTooLarge(method: request.method, url: Redactor.standard.redact(url: request.url), limit: limit)
            }
            collected.append(contentsOf: part.readableBytesView)
        }
        let headers = response.headers.map { ($0.name, $0.value) }
        return TransportResponse(status: Int(response.status.code), headers: headers, body: collected,
                                 url: Redactor.standard.redact(url: request.url), attempts: attempt)
    }

    private func logRequest(_ request: TransportRequest, url: String, attempt: Int, of total: Int) {
        logger.debug("HTTP request", metadata: [
            "method": .string(request.method), "url": .string(url), "attempt": .stringConvertible(attempt),
            "of": .stringConvertible(total), "body_bytes": .stringConvertible(request.body.length),
            "headers": .string(render(request.headers)),
        ])
    }

    private func render(_ headers: [(String, String)]) -> String {
        Redactor.standard.redact(headers: headers).map { "\($0.0): \(Redactor.standard.redact(text: $0.1))" }.joined(separator: "; ")
    }

    /// Whether the error proves the request never reached the server (no connection was made).
    static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let clientError = error as? HTTPClientError {
            return clientError == .connectTimeout || clientError == .getConnectionFromPoolTimeout
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return true }
        if let ioError = error as? IOError {
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(ioError.errnoCode)
        }
        return false
    }

    /// Whether a failure after connecting is worth repeating for an idempotent request.
    static func isTransient(_ error: any Error) -> Bool {
        if let clientError = error as? HTTPClientError {
            return clientError == .readTimeout || clientError == .writeTimeout || clientError == .remoteConnectionClosed
                || clientError == .deadlineExceeded
        }
        return error is IOError || error is ChannelError
    }

    static func describe(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError {
            let failures = connection.connectionErrors.map { "\($0.target): \($0.error)" }
            if failures.isEmpty, let dns = connection.dnsAError ?? connection.dnsAAAAError {
                return "cannot resolve \(connection.host): \(dns)"
            }
            return failures.isEmpty ? "cannot connect to \(connection.host):\(connection.port)" : failures.joined(separator: ", ")
        }
        return Redactor.standard.redact(text: String(describing: error))
    }
}

private func milliseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}

extension TimeAmount {
    init(_ duration: Duration) {
        let nanos = duration.components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(nanos.overflow ? Int64.max : nanos.partialValue + duration.components.attoseconds / 1_000_000_000)
    }
}

/// Adapts a ``BodyChunkSource`` to the byte-buffer sequence AsyncHTTPClient streams; it pulls the
/// next chunk only when the connection asks for it, so memory stays flat.
struct ChunkSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let source: any BodyChunkSource

    struct AsyncIterator: AsyncIteratorProtocol {
        var reader: (any BodyChunkReader)?
        let source: any BodyChunkSource

        mutating func next() async throws -> ByteBuffer? {
            if reader == nil { reader = try source.makeReader() }
            guard var current = reader else { return nil }
            let chunk = try await current.next()
            reader = current
            return chunk.map { ByteBuffer(bytes: $0) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: nil, source: source) }
}

/// A flag guarded by a lock.
final class LockedState: @unchecked Sendable {  // unchecked: every access to `shutDown` holds `lock`.
    private let lock = NSLock()
    private var shutDown: Bool

    init(isShutDown: Bool) { self.shutDown = isShutDown }

    var isShutDown: Bool { lock.withLock { shutDown } }

    /// Sets the flag; returns false when it was already set.
    func markShutDown() -> Bool {
        lock.withLock {
            if shutDown { return false }
            shutDown = true
            return true
        }
    }
}
