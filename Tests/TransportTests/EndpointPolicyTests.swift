import Foundation
import Testing
@testable import Transport

@Suite struct EndpointPolicyTests {
    @Test(arguments: ["http://127.0.0.1:8080/x", "http://127.1.2.3/", "http://localhost:9/", "http://[::1]:8080/", "https://api.omnigage.io/api/v1"])
    func allowsHttpsAndLoopbackHttp(url: String) throws {
        try EndpointPolicy.check(url)
    }

    @Test(arguments: ["http://example.com/api", "http://128.0.0.1/", "http://10.0.0.1/", "http://localhost.example.com/", "http://127.0.0.1.nip.io/"])
    func refusesPlainHttpElsewhere(url: String) {
        #expect(throws: TransportError.insecureURL(url)) { try EndpointPolicy.check(url) }
    }

    @Test func refusesUnknownSchemes() {
        #expect(throws: TransportError.self) { try EndpointPolicy.check("ftp://127.0.0.1/") }
        #expect(throws: TransportError.self) { try EndpointPolicy.check("not a url") }
    }

    @Test func transportRefusesNonLoopbackHttpBeforeConnecting() async throws {
        let capture = LogCapture()
        let transport = makeTransport(logger: capture.logger())
        let started = ContinuousClock.now
        await #expect(throws: TransportError.insecureURL("http://example.com/api/v1/uploads?apikey=***")) {
            _ = try await transport.send(TransportRequest(method: "POST", url: "http://example.com/api/v1/uploads?apikey=SECRET",
                                                          headers: [("Authorization", "Basic c2VjcmV0")]))
        }
        // Nothing was attempted: no request line was logged and no DNS lookup or connect happened.
        #expect(!capture.text.contains("HTTP request"))
        #expect(ContinuousClock.now - started < .seconds(2))
        let message = String(describing: TransportError.insecureURL("http://example.com/api"))
        #expect(message.contains("https"))
        try await transport.shutdown()
    }
}
