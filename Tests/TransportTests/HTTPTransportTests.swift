import Foundation
import RosterTestSupport
import Testing
@testable import Transport

final class Counter: @unchecked Sendable {  // unchecked: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
    var current: Int { lock.withLock { value } }
}

@Suite struct HTTPTransportTests {
    @Test func waitsOut429WithRetryAfterSeconds() async throws {
        let calls = Counter()
        let server = try await TestServer.start { _ in
            calls.next() == 1 ? StubResponse(status: 429, headers: [("Retry-After", "1")]) : StubResponse(status: 200, json: "{}")
        }
        let capture = LogCapture()
        let transport = makeTransport(logger: capture.logger())
        let started = ContinuousClock.now
        let response = try await transport.send(TransportRequest(method: "POST", url: server.baseURL + "/uploads",
                                                                 body: .bytes(Array("{}".utf8)), safety: .createsResource))
        let elapsed = ContinuousClock.now - started
        #expect(response.status == 200)
        #expect(response.attempts == 2)
        #expect(server.requests.count == 2)
        #expect(elapsed >= .milliseconds(950))
        #expect(elapsed < .seconds(30))  // generous: the suite runs in parallel on a busy 2-core machine (8.2 s seen)
        #expect(capture.text.contains("retrying"))
        #expect(capture.text.contains("wait_ms=1000"))
        try await transport.shutdown()
        await server.stop()
    }

    @Test func honoursRetryAfterAsHTTPDate() async throws {
        let calls = Counter()
        let server = try await TestServer.start { _ in
            calls.next() == 1
                ? StubResponse(status: 503, headers: [("Retry-After", HTTPDate.format(Date().addingTimeInterval(2)))])
                : StubResponse(status: 200)
        }
        let transport = makeTransport()
        let started = ContinuousClock.now
        let response = try await transport.send(TransportRequest(method: "GET", url: server.baseURL + "/x"))
        #expect(response.status == 200)
        // An HTTP date has one-second resolution: the wait is between 1 and 2 seconds.
        #expect(ContinuousClock.now - started >= .milliseconds(900))
        try await transport.shutdown()
        await server.stop()
    }

    @Test func retriesIdempotentRequestsOnGatewayErrors() async throws {
        let calls = Counter()
        let server = try await TestServer.start { _ in calls.next() < 3 ? StubResponse(status: 502) : StubResponse(status: 200) }
        let transport = makeTransport()
        let response = try await transport.send(TransportRequest(method: "GET", url: server.baseURL + "/x"))
        #expect(response.status == 200)
        #expect(response.attempts == 3)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func doesNotRepeatACreatingPostThatReachedTheServer() async throws {
        let server = try await TestServer.start { _ in StubResponse(status: 503) }
        let transport = makeTransport()
        let response = try await transport.send(TransportRequest(method: "POST", url: server.baseURL + "/import-contacts",
                                                                 body: .bytes([1]), safety: .createsResource))
        #expect(response.status == 503)
        #expect(server.requests.count == 1)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func repeatsACreatingPostWhenTheConnectionWasRefused() async throws {
        let port = try closedPort()
        let capture = LogCapture()
        let transport = makeTransport(logger: capture.logger())
        do {
            _ = try await transport.send(TransportRequest(method: "POST", url: "http://127.0.0.1:\(port)/uploads",
                                                          body: .bytes([1]), safety: .createsResource))
            Issue.record("expected a connection failure")
        } catch let error as TransportError {
            guard case .connectionFailed(let method, _, let attempts, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(method == "POST")
            #expect(attempts == 3)
        }
        #expect(capture.all.filter { $0.contains("retrying") }.count == 2)
        try await transport.shutdown()
    }

    @Test func givesUpAfterMaxAttemptsAndReturnsTheLastAnswer() async throws {
        let server = try await TestServer.start { _ in StubResponse(status: 429, headers: [("Retry-After", "0")]) }
        let transport = makeTransport()
        let response = try await transport.send(TransportRequest(method: "GET", url: server.baseURL + "/x"))
        #expect(response.status == 429)
        #expect(server.requests.count == 3)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func sendsUserAgentAndNeverFollowsRedirects() async throws {
        let other = try await TestServer.start { _ in StubResponse(status: 200) }
        let server = try await TestServer.start { _ in StubResponse(status: 302, headers: [("Location", other.baseURL + "/steal")]) }
        let transport = makeTransport()
        let response = try await transport.send(TransportRequest(method: "GET", url: server.baseURL + "/x",
                                                                 headers: [("Authorization", "Basic c2VjcmV0")]))
        #expect(response.status == 302)
        #expect(other.requests.isEmpty)
        #expect(server.requests.first?.header("User-Agent") == "Roster/\(TransportConfiguration.rosterVersion)")
        try await transport.shutdown()
        await server.stop()
        await other.stop()
    }

    @Test func logsRequestsWithSecretsRedacted() async throws {
        let server = try await TestServer.start { _ in StubResponse(status: 200) }
        let capture = LogCapture()
        let transport = makeTransport(logger: capture.logger())
        _ = try await transport.send(TransportRequest(
            method: "POST", url: server.baseURL + "/imports?apikey=KEY-SECRET-1",
            headers: [("Authorization", "Basic VVNFUjpQQVNTLVNFQ1JFVA=="), ("x-api-key", "KEY-SECRET-1"), ("X-Account-Key", "firstbank")],
            body: .bytes(Array("{}".utf8))))
        let log = capture.text
        #expect(log.contains("POST"))
        #expect(log.contains("/imports?apikey=***"))
        #expect(log.contains("status=200"))
        #expect(log.contains("ms="))
        #expect(log.contains("X-Account-Key: firstbank"))
        #expect(!log.contains("KEY-SECRET-1"))
        #expect(!log.contains("VVNFUjpQQVNTLVNFQ1JFVA"))
        #expect(server.requests.first?.header("x-api-key") == "KEY-SECRET-1")
        try await transport.shutdown()
        await server.stop()
    }

    @Test func shutdownTwiceIsHarmlessAndLaterSendsFail() async throws {
        let transport = makeTransport()
        try await transport.shutdown()
        try await transport.shutdown()
        await #expect(throws: TransportError.shutDown) {
            _ = try await transport.send(TransportRequest(method: "GET", url: "http://127.0.0.1:1/"))
        }
    }

    @Test func parsesRetryAfterForms() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(RetryAfter.parse("1", now: now) == .seconds(1))
        #expect(RetryAfter.parse(" 2.5 ", now: now) == .milliseconds(2500))
        #expect(RetryAfter.parse(HTTPDate.format(now.addingTimeInterval(30)), now: now) == .seconds(30))
        #expect(RetryAfter.parse(HTTPDate.format(now.addingTimeInterval(-30)), now: now) == .zero)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse(nil, now: now) == nil)
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0)
        #expect(policy.delay(forRetry: 1) == .milliseconds(100))
        #expect(policy.delay(forRetry: 3) == .milliseconds(400))
        #expect(policy.delay(forRetry: 8) == .seconds(1))
        let jittered = RetryPolicy(baseDelay: .seconds(1), jitter: 0.2).delay(forRetry: 1)
        #expect(jittered >= .milliseconds(800) && jittered <= .milliseconds(1200))
    }
}

@Suite struct RetryLimitTests {
    @Test func aRetryAfterLongerThanTheCapIsNotWaitedFor() async throws {
        let server = try await TestServer.start { _ in StubResponse(status: 503, headers: [("Retry-After", "3600")]) }
        let transport = HTTPTransport(configuration: TransportConfiguration(retry: RetryPolicy(maxAttempts: 3, maxRetryAfter: .seconds(5))))
        let started = ContinuousClock.now
        let response = try await transport.send(TransportRequest(method: "GET", url: server.baseURL + "/x"))
        #expect(response.status == 503)
        #expect(server.requests.count == 1)
        #expect(ContinuousClock.now - started < .seconds(30))  // far below the 3600 s asked; loose for a loaded 2-core machine
        try await transport.shutdown()
        await server.stop()
    }

    @Test func failuresKnowHowTheyEndARun() {
        #expect(TransportError.insecureURL("http://example.com").failureKind == .configuration)
        #expect(TransportError.connectionFailed(method: "GET", url: "u", attempts: 3, reason: "refused").failureKind == .unavailable)
        #expect(S3UploadError.rejected(status: 403, code: "AccessDenied", message: nil, url: "u", body: "").failureKind == .refused)
        #expect(S3UploadError.rejected(status: 503, code: "SlowDown", message: nil, url: "u", body: "").failureKind == .unavailable)
        #expect(FailureKind.forStatus(429) == .unavailable)
        #expect(FailureKind.forStatus(401) == .refused)
    }
}

@Suite struct HTTPDateTests {
    @Test func parsesTheThreeHTTPDateForms() {
        let expected = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == expected)
        #expect(HTTPDate.format(expected) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
