import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import Sandbox

@Suite struct S3PostEndpointTests {
    let csv = Array("First Name,Last Name,Phone Number\nAda,Quill,+15550100123\n".utf8)

    /// A form signed with the sandbox's secret over `policyJSON`.
    static func signedForm(_ sandbox: RunningSandbox, policyJSON: String, key: String) -> UploadForm {
        let policy = Data(policyJSON.utf8).base64EncodedString()
        let signature = SignatureV2.sign(policy: policy, secret: SandboxCredentials.s3SecretAccessKey)
        return UploadForm(id: "", requestURL: sandbox.s3URL,
                          fields: [("acl", "private"), ("AWSAccessKeyId", SandboxCredentials.s3AccessKeyID), ("key", key),
                                   ("policy", policy), ("signature", signature)],
                          document: .null)
    }

    @Test func acceptsTheExactFormAndStoresTheObject() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox, size: csv.count)
            let reply = try await postToS3(form, filename: "leads.csv", content: csv)
            #expect(reply.status == 204, "\(reply.text)")
            let prefix = try #require(form.value("key")).replacingOccurrences(of: "${filename}", with: "")
            let key = prefix + "leads.csv"
            #expect(reply.header("Location") == sandbox.s3URL + key.replacingOccurrences(of: "/", with: "%2F"))
            #expect(reply.header("ETag")?.count == 34)
            #expect(reply.header("x-amz-server-side-encryption") == "AES256")
            let objects = await sandbox.s3Objects()
            #expect(objects.map(\.key) == [key])
            #expect(objects.first?.contentType == "text/csv")
            #expect(FileManager.default.contents(atPath: objects.first?.path ?? "").map(Array.init) == csv)
        }
    }

    @Test func answersWithTheRequestedSuccessStatus() async throws {
        try await withSandbox { sandbox in
            let json = #"{"expiration": "2099-01-01T00:00:00Z", "conditions": [{"bucket": "roster-sandbox"}, ["starts-with", "$key", "x/"], {"success_action_status": "201"}, {"acl": "private"}]}"#
            let form = Self.signedForm(sandbox, policyJSON: json, key: "x/${filename}")
            var body = MultipartBody()
            for (name, value) in form.fields { body.field(name, value) }
            body.field("success_action_status", "201")
            body.file(filename: "C:\\dir\\file.txt", [1, 2, 3])
            let reply = try await send(.POST, form.requestURL, headers: [("Content-Type", body.contentType)], body: body.finished())
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.text.contains("<Key>x/file.txt</Key>"))
        }
    }

    @Test func rejectsAnExpiredPolicy() async throws {
        var configuration = SandboxConfiguration()
        configuration.uploadLifetime = -60
        try await withSandbox(configuration) { sandbox in
            let form = try await createUpload(sandbox)
            let reply = try await postToS3(form, filename: "leads.csv", content: csv)
            #expect(reply.status == 403)
            #expect(reply.s3Code == "AccessDenied")
            #expect(reply.s3Message == "Invalid according to Policy: Policy expired.")
            #expect(reply.header("Content-Type") == "application/xml")
            #expect(await sandbox.s3Objects().isEmpty)
        }
    }

    @Test func rejectsABadSignature() async throws {
        try await withSandbox { sandbox in
            var form = try await createUpload(sandbox)
            form.fields = form.fields.map { $0.0 == "signature" ? ($0.0, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=") : $0 }
            let reply = try await postToS3(form, filename: "leads.csv", content: csv)
            #expect(reply.status == 403)
            #expect(reply.s3Code == "SignatureDoesNotMatch")
        }
    }

    @Test func rejectsATamperedPolicyByItsSignature() async throws {
        try await withSandbox { sandbox in
            var form = try await createUpload(sandbox)
            let widened = Data(#"{"expiration": "2099-01-01T00:00:00Z", "conditions": [["starts-with", "$key", ""]]}"#.utf8).base64EncodedString()
            form.fields = form.fields.map { $0.0 == "policy" ? ($0.0, widened) : $0 }
            let reply = try await postToS3(form, filename: "leads.csv", content: csv)
            #expect(reply.s3Code == "SignatureDoesNotMatch")
        }
    }

    @Test func rejectsAnExtraField() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox)
            let reply = try await postToS3(form, filename: "leads.csv", content: csv,
                                           extraFields: [("x-amz-server-side-encryption", "AES256")])
            #expect(reply.status == 403)
            #expect(reply.s3Code == "AccessDenied")
            #expect(reply.s3Message == "Invalid according to Policy: Extra input fields: x-amz-server-side-encryption")
        }
    }

    @Test func rejectsAKeyOutsideTheGrantedPrefix() async throws {
        try await withSandbox { sandbox in
            var form = try await createUpload(sandbox)
            form.fields = form.fields.map { $0.0 == "key" ? ($0.0, "uploads/someone-else/${filename}") : $0 }
            let reply = try await postToS3(form, filename: "leads.csv", content: csv)
            #expect(reply.status == 403)
            #expect(reply.s3Code == "AccessDenied")
            #expect(reply.s3Message?.hasPrefix("Invalid according to Policy: Policy Condition failed: [\"starts-with\",\"$key\",\"uploads/") == true)
        }
    }

    @Test func rejectsAFileLargerThanTheRange() async throws {
        var configuration = SandboxConfiguration()
        configuration.uploadMaxLength = 1024
        try await withSandbox(configuration) { sandbox in
            let form = try await createUpload(sandbox, size: 10)
            let reply = try await postToS3(form, filename: "big.csv", content: Array(repeating: 65, count: 300_000))
            #expect(reply.status == 400)
            #expect(reply.s3Code == "EntityTooLarge")
            #expect(reply.text.contains("<MaxSizeAllowed>1024</MaxSizeAllowed>"))
            #expect(await sandbox.s3Objects().isEmpty)
        }
    }

    @Test func ignoresFieldsAfterTheFileSoAKeyAfterItIsMissing() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox)
            var body = MultipartBody()
            for (name, value) in form.fields where name != "key" { body.field(name, value) }
            body.field("Content-Type", "text/csv")
            body.file(filename: "leads.csv", csv)
            body.field("key", try #require(form.value("key")))
            let reply = try await send(.POST, form.requestURL, headers: [("Content-Type", body.contentType)], body: body.finished())
            #expect(reply.status == 400)
            #expect(reply.s3Code == "InvalidArgument")
            #expect(reply.s3Message == "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
        }
    }

    @Test func refusesAnAuthorizationHeader() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox)
            let reply = try await postToS3(form, filename: "leads.csv", content: csv, headers: [omnigageHeaders[0]])
            #expect(reply.status == 400)
            #expect(reply.s3Code == "InvalidArgument")
            #expect(await sandbox.s3Objects().isEmpty)
        }
    }

    @Test func rejectsAnUnknownAccessKey() async throws {
        try await withSandbox { sandbox in
            var form = try await createUpload(sandbox)
            form.fields = form.fields.map { $0.0 == "AWSAccessKeyId" ? ($0.0, "AKIAUNKNOWN") : $0 }
            let reply = try await postToS3(form, filename: "leads.csv", content: csv)
            #expect(reply.status == 403)
            #expect(reply.s3Code == "InvalidAccessKeyId")
        }
    }

    @Test func rejectsAnUnknownBucketAndANonMultipartBody() async throws {
        try await withSandbox { sandbox in
            let wrongBucket = try await send(.POST, sandbox.rootURL + "/s3/other-bucket/", headers: [("Content-Type", "multipart/form-data; boundary=x")],
                                             body: Array("--x--\r\n".utf8))
            #expect(wrongBucket.status == 404 && wrongBucket.s3Code == "NoSuchBucket")
            let notMultipart = try await send(.POST, sandbox.s3URL, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
            #expect(notMultipart.status == 400 && notMultipart.s3Code == "MalformedPOSTRequest")
        }
    }

    @Test func streamsALargeFileToDisk() async throws {
        try await withSandbox { sandbox in
            let content = (0..<(24 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let form = try await createUpload(sandbox, size: content.count)
            let reply = try await postToS3(form, filename: "big.bin", content: content, contentType: "application/octet-stream")
            #expect(reply.status == 204, "\(reply.text)")
            let object = try #require(await sandbox.s3Objects().first)
            #expect(object.size == Int64(content.count))
            #expect(FileManager.default.contents(atPath: object.path).map(Array.init) == content)
        }
    }

    @Test func aFormWithoutAFileIsRefused() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox)
            var body = MultipartBody()
            for (name, value) in form.fields { body.field(name, value) }
            body.field("Content-Type", "text/csv")
            let reply = try await send(.POST, form.requestURL, headers: [("Content-Type", body.contentType)], body: body.finished())
            #expect(reply.status == 400)
            #expect(reply.s3Code == "IncorrectNumberOfFilesInPostRequest")
        }
    }

    /// An independent multipart producer: curl builds the form, the sandbox must accept it.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func acceptsAFormBuiltByCurl() async throws {
        try await withSandbox { sandbox in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: file) }
            try Data(csv).write(to: file)
            let form = try await createUpload(sandbox, size: csv.count)
            var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "x-amz-server-side-encryption: AES256"]
            for (name, value) in form.fields { arguments += ["--form-string", "\(name)=\(value)"] }
            arguments += ["--form-string", "Content-Type=text/csv", "-F", "file=@\(file.path);type=text/csv", form.requestURL]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let status = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                }
            }
            #expect(status == "204")
            #expect(await sandbox.s3Objects().first?.key.hasSuffix("/\(file.lastPathComponent)") == true)
        }
    }

    @Test func acceptsASignatureV4Form() async throws {
        try await withSandbox { sandbox in
            let credential = "\(SandboxCredentials.s3AccessKeyID)/20291231/us-west-1/s3/aws4_request"
            let json = #"{"expiration": "2099-01-01T00:00:00Z", "conditions": [{"bucket": "roster-sandbox"}, ["starts-with", "$key", "v4/"], "#
                + #"{"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": "\#(credential)"}, {"x-amz-date": "20291231T120000Z"}]}"#
            let policy = Data(json.utf8).base64EncodedString()
            func post(signature: String) async throws -> HTTPReply {
                var body = MultipartBody()
                body.field("key", "v4/${filename}")
                body.field("x-amz-algorithm", "AWS4-HMAC-SHA256")
                body.field("x-amz-credential", credential)
                body.field("x-amz-date", "20291231T120000Z")
                body.field("policy", policy)
                body.field("x-amz-signature", signature)
                body.file(filename: "v4.csv", [1])
                return try await send(.POST, sandbox.s3URL, headers: [("Content-Type", body.contentType)], body: body.finished())
            }
            let good = SignatureV4.sign(policy: policy, secret: SandboxCredentials.s3SecretAccessKey, date: "20291231", region: "us-west-1")
            let accepted = try await post(signature: good)
            #expect(accepted.status == 204, "\(accepted.text)")
            let refused = try await post(signature: String(repeating: "0", count: 64))
            #expect(refused.s3Code == "SignatureDoesNotMatch")
        }
    }

    @Test func redirectsWhenAskedTo() async throws {
        try await withSandbox { sandbox in
            let json = #"{"expiration": "2099-01-01T00:00:00Z", "conditions": [["starts-with", "$key", "r/"], ["starts-with", "$success_action_redirect", "http://127.0.0.1/"]]}"#
            var form = Self.signedForm(sandbox, policyJSON: json, key: "r/${filename}")
            form.fields.removeAll { $0.0 == "acl" }
            var body = MultipartBody()
            for (name, value) in form.fields { body.field(name, value) }
            body.field("success_action_redirect", "http://127.0.0.1/done")
            body.file(filename: "r.csv", [1])
            var request = HTTPClientRequest(url: form.requestURL)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: body.contentType)
            request.body = .bytes(ByteBuffer(bytes: body.finished()))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            let response = try await client.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 303)
            #expect(response.headers.first(name: "Location")?.hasPrefix("http://127.0.0.1/done?bucket=roster-sandbox&key=r/r.csv&etag=") == true)
        }
    }

    @Test func refusesMoreThanTwentyKilobytesBeforeTheFile() async throws {
        try await withSandbox { sandbox in
            let form = try await createUpload(sandbox)
            let reply = try await postToS3(form, filename: "a.csv", content: csv, extraFields: [("x-ignore-padding", String(repeating: "p", count: 21_000))])
            #expect(reply.status == 400)
            #expect(reply.s3Code == "MaxPostPreDataLengthExceededError")
        }
    }
}
