// A small loopback HTTP server for tests: every request is recorded and answered by a closure.
// Shared by the test targets through the RosterTestSupport library (never linked into Roster itself).
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

public struct RecordedRequest: Sendable {
    public var method: String
    public var authority: String
    public var path: String
    public var query: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// `http://host:port` of the server that received this request.
    public var origin: String { "http://" + authority }
}

public struct StubResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)] = []
    public var body: [UInt8] = []

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: [(String, String)] = [], json: String) {
        self.init(status: status, headers: headers + [("Content-Type", "application/json")], body: Array(json.utf8))
    }
}

public final class RequestLog: @unchecked Sendable {  // unchecked: `entries` is only touched while holding `lock`.
    private let lock = NSLock()
    private var entries: [RecordedRequest] = []

    public func append(_ request: RecordedRequest) { lock.withLock { entries.append(request) } }
    public var all: [RecordedRequest] { lock.withLock { entries } }
}

public final class TestServer: Sendable {
    public let port: Int
    public let log: RequestLog
    private let task: Task<Void, any Error>

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [RecordedRequest] { log.all }

    private init(port: Int, log: RequestLog, task: Task<Void, any Error>) {
        self.port = port
        self.log = log
        self.task = task
    }

    /// Starts a server on a free loopback port; `discardBody` streams request bodies away (for big uploads).
    public static func start(discardBody: Bool = false,
                      _ handler: @escaping @Sendable (RecordedRequest) async -> StubResponse) async throws -> TestServer {
        let log = RequestLog()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var body: [UInt8] = []
            if discardBody {
                var total = 0
                for try await part in request.body { total += part.readableBytes }
                body = Array("\(total)".utf8)
            } else {
                let buffer = try await request.body.collect(upTo: 64 * 1024 * 1024)
                body = Array(buffer.readableBytesView)
            }
            let recorded = RecordedRequest(
                method: request.method.rawValue, authority: request.head.authority ?? "", path: request.uri.path, query: request.uri.query ?? "",
                headers: request.headers.map { ($0.name.rawName, $0.value) }, body: body
            )
            log.append(recorded)
            let stub = await handler(recorded)
            var fields = HTTPFields()
            for (name, value) in stub.headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(status: HTTPResponse.Status(code: stub.status), headers: fields,
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: stub.body)))
        }
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let task = Task { try await app.run() }
        var port = 0
        for await found in ports {
            port = found
            break
        }
        return TestServer(port: port, log: log, task: task)
    }

    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}
