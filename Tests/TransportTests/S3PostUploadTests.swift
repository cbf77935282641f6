import Foundation
import RosterTestSupport
import Testing
@testable import Transport

/// Splits a multipart body into (name, filename, content) parts.
func multipartParts(_ body: [UInt8], contentType: String?) -> [(name: String, filename: String?, content: [UInt8])] {
    guard let contentType, let range = contentType.range(of: "boundary=") else { return [] }
    let boundary = Array(("--" + contentType[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\""))).utf8)
    var parts: [(String, String?, [UInt8])] = []
    var positions: [Int] = []
    var index = 0
    while index + boundary.count <= body.count {
        if body[index] == boundary[0], Array(body[index..<(index + boundary.count)]) == boundary {
            positions.append(index)
            index += boundary.count
        } else {
            index += 1
        }
    }
    for (start, end) in zip(positions, positions.dropFirst()) {
        let chunk = Array(body[(start + boundary.count + 2)..<(end - 2)])
        let separator = Array("\r\n\r\n".utf8)
        guard let split = (0...(chunk.count - 4)).first(where: { Array(chunk[$0..<($0 + 4)]) == separator }) else { continue }
        let head = String(decoding: chunk[..<split], as: UTF8.self)
        let content = Array(chunk[(split + 4)...])
        func parameter(_ key: String) -> String? {
            guard let found = head.range(of: "; \(key)=\"") else { return nil }
            let rest = head[found.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        parts.append((parameter("name") ?? "", parameter("filename"), content))
    }
    return parts
}

@Suite struct S3PostUploadTests {
    static func form(_ url: String) -> S3PostForm {
        S3PostForm(url: url + "/", method: "post",
                   fields: [("acl", "private"), ("AWSAccessKeyId", "AKIAEXAMPLE"), ("key", "uploads/abc/${filename}"),
                            ("policy", "eyJwb2xpY3kiOiJ4In0="), ("signature", "c2lnbmF0dXJl")],
                   headers: [("x-amz-server-side-encryption", "AES256")],
                   expiresAt: Date().addingTimeInterval(3600), maxLength: 5_368_724_480)
    }

    @Test func sendsFieldsInOrderThenContentTypeThenFileLastWithoutCredentials() async throws {
        let server = try await TestServer.start { _ in StubResponse(status: 204, headers: [("ETag", "\"abc\"")]) }
        let capture = LogCapture()
        let transport = makeTransport(logger: capture.logger())
        let content = Array("First Name,Phone\r\nAda,\"+1 555, ext\"\r\n".utf8)
        let path = try temporaryFile(content, name: "local.csv")
        defer { removeTemporaryFile(path) }
        let progress = Counter()
        let result = try await S3PostUpload(transport: transport, chunkSize: 4096)
            .upload(Self.form(server.baseURL), file: path, fileName: "leads.csv", contentType: "text/csv") { sent, total in
                #expect(sent <= total)
                _ = progress.next()
            }
        #expect(result.status == 204)
        #expect(result.key == "uploads/abc/leads.csv")
        #expect(result.etag == "\"abc\"")
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        let parts = multipartParts(request.body, contentType: request.header("Content-Type"))
        #expect(parts.map(\.name) == ["acl", "AWSAccessKeyId", "key", "policy", "signature", "Content-Type", "file"])
        #expect(parts.map { String(decoding: $0.content, as: UTF8.self) }.prefix(6)
            == ["private", "AKIAEXAMPLE", "uploads/abc/${filename}", "eyJwb2xpY3kiOiJ4In0=", "c2lnbmF0dXJl", "text/csv"])
        #expect(parts.last?.filename == "leads.csv")
        #expect(parts.last?.content == content)
        #expect(request.header("x-amz-server-side-encryption") == "AES256")
        #expect(request.header("Content-Length") == String(request.body.count))
        for name in ["Authorization", "X-Account-Key", "x-api-key"] {
            #expect(request.header(name) == nil)
        }
        #expect(progress.current >= 2)
        #expect(!capture.text.contains("eyJwb2xpY3kiOiJ4In0="))
        try await transport.shutdown()
        await server.stop()
    }

    /// A file of many chunks (4 KiB here, and a short last one), each with its own bytes, arrives
    /// whole and in order, and so does a second upload of it.
    @Test func aFileOfManyChunksArrivesWholeAndInOrder() async throws {
        let server = try await TestServer.start { _ in StubResponse(status: 204) }
        let transport = makeTransport()
        var generator = SystemRandomNumberGenerator()
        // 23 chunks of 4 KiB and a short last one, no two alike
        let content = (0 ..< 23 * 4096 + 1234).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
        let path = try temporaryFile(content, name: "many.bin")
        defer { removeTemporaryFile(path) }
        for _ in 1 ... 2 {
            _ = try await S3PostUpload(transport: transport, chunkSize: 4096)
                .upload(Self.form(server.baseURL), file: path, fileName: "many.bin", contentType: "application/octet-stream")
        }
        #expect(server.requests.count == 2)
        for request in server.requests {
            let parts = multipartParts(request.body, contentType: request.header("Content-Type"))
            #expect(parts.last?.content == content)
        }
        try await transport.shutdown()
        await server.stop()
    }

    @Test func refusesAnExpiredFormBeforeSending() async throws {
        let server = try await TestServer.start { _ in StubResponse(status: 204) }
        let transport = makeTransport()
        var form = Self.form(server.baseURL)
        form.expiresAt = Date().addingTimeInterval(-5)
        let path = try temporaryFile([1, 2, 3])
        defer { removeTemporaryFile(path) }
        await #expect(throws: S3UploadError.self) {
            _ = try await S3PostUpload(transport: transport).upload(form, file: path, contentType: "text/csv")
        }
        #expect(server.requests.isEmpty)
        try await transport.shutdown()
        await server.stop()
    }

    @Test func refusesAFileLargerThanThePolicyAllows() async throws {
        let transport = makeTransport()
        var form = Self.form("http://127.0.0.1:1")
        form.maxLength = 2
        let path = try temporaryFile([1, 2, 3])
        defer { removeTemporaryFile(path) }
        await #expect(throws: S3UploadError.fileTooLarge(path: path, size: 3, maximum: 2)) {
            _ = try await S3PostUpload(transport: transport).upload(form, file: path, contentType: "text/csv")
        }
        try await transport.shutdown()
    }

    @Test func surfacesS3XMLErrorVerbatim() async throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/abc/"]</Message><RequestId>1</RequestId></Error>
        """
        let server = try await TestServer.start { _ in StubResponse(status: 403, headers: [("Content-Type", "application/xml")], body: Array(xml.utf8)) }
        let transport = makeTransport()
        let path = try temporaryFile([1])
        defer { removeTemporaryFile(path) }
        do {
            _ = try await S3PostUpload(transport: transport).upload(Self.form(server.baseURL), file: path, contentType: "text/csv")
            Issue.record("expected an S3 error")
        } catch let error as S3UploadError {
            guard case .rejected(let status, let code, let message, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(status == 403)
            #expect(code == "AccessDenied")
            #expect(message == "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"uploads/abc/\"]")
            #expect(!error.isPolicyExpired)
            #expect(error.description.contains("AccessDenied: Invalid according to Policy"))
        }
        try await transport.shutdown()
        await server.stop()
    }

    @Test func recognisesS3PolicyExpiredAnswer() {
        let error = S3UploadError.rejected(status: 403, code: "AccessDenied", message: "Invalid according to Policy: Policy expired.",
                                           url: "https://b/", body: "")
        #expect(error.isPolicyExpired)
    }

    @Test func reportsAMissingFile() async throws {
        let transport = makeTransport()
        await #expect(throws: S3UploadError.self) {
            _ = try await S3PostUpload(transport: transport).upload(Self.form("http://127.0.0.1:1"), file: "/nonexistent/x.csv", contentType: "text/csv")
        }
        try await transport.shutdown()
    }
}
