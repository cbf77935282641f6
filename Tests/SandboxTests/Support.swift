import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import Sandbox

/// What a request to the running sandbox answered.
struct HTTPReply {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
    func header(_ name: String) -> String? { headers.first(name: name) }

    /// `<Code>` of an S3 XML error body.
    var s3Code: String? { element("Code") }
    var s3Message: String? { element("Message") }

    private func element(_ name: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[start.upperBound..<end.lowerBound])
    }
}

func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
          timeout: TimeAmount = .seconds(60)) async throws -> HTTPReply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: timeout)
    let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
    return HTTPReply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
}

/// Starts a sandbox on a free loopback port, runs `body`, and always stops it.
@discardableResult
func withSandbox<T>(_ configuration: SandboxConfiguration = SandboxConfiguration(),
                    _ body: (RunningSandbox) async throws -> T) async throws -> T {
    let sandbox = try await SandboxServer(configuration: configuration).start()
    do {
        let result = try await body(sandbox)
        await sandbox.stop()
        return result
    } catch {
        await sandbox.stop()
        throw error
    }
}

func basic(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
}

let omnigageHeaders: [(String, String)] = [
    ("Authorization", basic(SandboxCredentials.omnigageTokenKey, SandboxCredentials.omnigageTokenSecret)),
    ("X-Account-Key", SandboxCredentials.omnigageAccountKey),
    ("Content-Type", "application/json; charset=utf-8"),
]

/// A multipart/form-data body built part by part, in order.
struct MultipartBody {
    var boundary = "Upload----07/10/2020 17:29:08"
    private var bytes: [UInt8] = []

    mutating func field(_ name: String, _ value: String) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    mutating func file(_ name: String = "file", filename: String, contentType: String = "text/csv", _ content: [UInt8]) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n")
        bytes += content
        append("\r\n")
    }

    func finished() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }

    var contentType: String { "multipart/form-data; boundary=\"\(boundary)\"" }

    private mutating func append(_ text: String) { bytes += Array(text.utf8) }
}

/// An upload form as `POST /uploads` answered it.
struct UploadForm {
    var id: String
    var requestURL: String
    var fields: [(String, String)]
    var document: JSONValue

    func value(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
}

func createUpload(_ sandbox: RunningSandbox, name: String = "leads.csv", type: String = "text/csv", size: Int = 100) async throws -> UploadForm {
    let body = JSONValue.object([("name", .string(name)), ("type", .string(type)), ("size", .number(Double(size)))])
    let reply = try await send(.POST, sandbox.omnigageBaseURL + "/uploads", headers: omnigageHeaders, body: Array(body.serialized().utf8))
    try #require(reply.status == 201, "\(reply.text)")
    let document = try #require(reply.json)
    let attributes = try #require(document["data"]?["attributes"])
    let form = try #require(attributes["request-form-data"]?.arrayValue).compactMap { item -> (String, String)? in
        guard let member = item.objectValue?.first, let value = member.1.stringValue else { return nil }
        return (member.0, value)
    }
    return UploadForm(id: try #require(document["data"]?["id"]?.stringValue),
                      requestURL: try #require(attributes["request-url"]?.stringValue), fields: form, document: document)
}

/// Posts the form the way the official client does: fields in order, Content-Type, then the file.
func postToS3(_ form: UploadForm, filename: String, content: [UInt8], contentType: String = "text/csv",
              extraFields: [(String, String)] = [], headers: [(String, String)] = []) async throws -> HTTPReply {
    var body = MultipartBody()
    for (name, value) in form.fields { body.field(name, value) }
    body.field("Content-Type", contentType)
    for (name, value) in extraFields { body.field(name, value) }
    body.file(filename: filename, contentType: contentType, content)
    return try await send(.POST, form.requestURL, headers: [("Content-Type", body.contentType), ("x-amz-server-side-encryption", "AES256")] + headers,
                          body: body.finished())
}
