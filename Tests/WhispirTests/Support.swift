import Foundation
import RosterTestSupport
import Transport
@testable import Whispir

final class Counter: @unchecked Sendable {  // unchecked: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
    var current: Int { lock.withLock { value } }
}

func makeTransport() -> HTTPTransport {
    // Generous: a 12 MB body through a debug build on a loaded 2-core machine took over 20 s.
    HTTPTransport(configuration: TransportConfiguration(connectTimeout: .seconds(2), readTimeout: .seconds(120), totalTimeout: .seconds(300)))
}

func makeClient(_ server: TestServer, transport: HTTPTransport, workspace: String? = nil, requestLimit: Int = 10_485_760,
                mediaType: WhispirImportMediaType = .importV1, placement: WhispirImportModePlacement = .insideImportOptions) -> WhispirClient {
    WhispirClient(configuration: WhispirConfiguration(
        apiKey: "APIKEY-SECRET", username: "joe", password: "PASSWORD-SECRET", baseURL: server.baseURL, workspace: workspace,
        importMediaType: mediaType, importModePlacement: placement,
        retry: RetryPolicy(maxAttempts: 4, baseDelay: .seconds(1), maxDelay: .seconds(2)), requestLimit: requestLimit),
        transport: transport)
}

/// A server that plays Whispir: 201 + Location for resources (ids R1, R2, ...), 202 + Location for imports.
func startWhispir(_ override: (@Sendable (RecordedRequest) -> StubResponse?)? = nil) async throws -> TestServer {
    let resources = Counter()
    let imports = Counter()
    return try await TestServer.start { request in
        if let answer = override?(request) { return answer }
        if request.method == "POST", request.path.hasSuffix("/resources") {
            let id = "R\(resources.next())"
            return StubResponse(status: 201, headers: [("Location", request.origin + request.path + "/\(id)?apikey=APIKEY-SECRET")],
                                json: #"{"id":"\#(id)","name":"x","scope":"private","mimeType":"text/csv"}"#)
        }
        if request.method == "POST", request.path.hasSuffix("/imports") {
            return StubResponse(status: 202, headers: [("Location", request.origin + request.path + "/IMP\(imports.next())")])
        }
        return StubResponse(status: 404, json: #"{"errorSummary":"Not found","errorText":"Not Found","errorDetail":""}"#)
    }
}

let seedMapping = ["firstName": "firstName", "lastName": "lastName", "workMobilePhone1": "workMobilePhone1",
                   "workCountry": "workCountry", "timezone": "timezone"]

/// The derefUri content of a resource request, decoded.
func resourceContent(_ request: RecordedRequest) throws -> [UInt8] {
    let body = try JSONValue.parse(request.body)
    return [UInt8](Data(base64Encoded: body["derefUri"]?.stringValue ?? "") ?? Data())
}
