import Digests
import Foundation
import Hummingbird

/// The emulated S3 bucket endpoint for browser-based POST uploads (docs/api/s3-post.md §10).
/// The body is streamed: text fields are kept (at most 20 KB), the file part goes straight to disk.
struct S3PostEndpoint: Sendable {
    let store: ObjectStore
    let bucket: String
    let accessKeyID: String
    let secret: String
    let baseURL: @Sendable () -> String
    let now: @Sendable () -> Date

    /// Limit on the fields and boundaries before the file.
    static let maxPreFileBytes = 20 * 1024

    func handle(_ request: Request, bucket requested: String) async -> Response {
        let requestID = Identifiers.hex(16, uppercase: true)
        // Credentials must never reach S3: a browser-POST carries its authority in the form only.
        if request.header("authorization") != nil {
            return await drainAndFail(request, S3Error(
                status: 400, code: "InvalidArgument",
                message: "Unsupported Authorization Type: a POST upload is authorised by its policy form, not by an Authorization header",
                extra: [("ArgumentName", "Authorization"), ("ArgumentValue", "(present)")]), requestID)
        }
        if request.query("Signature") != nil || request.query("X-Amz-Signature") != nil {
            return await drainAndFail(request, S3Error(
                status: 400, code: "InvalidArgument", message: "POST uploads do not accept query-string authentication",
                extra: [("ArgumentName", "Signature")]), requestID)
        }
        guard requested == bucket else {
            return await drainAndFail(request, S3Error(status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist",
                                                       extra: [("BucketName", requested)]), requestID)
        }
        let contentType = HeaderParameters.parse(request.header("content-type") ?? "")
        guard contentType.primary.lowercased() == "multipart/form-data",
              let boundary = contentType.value(for: "boundary"), !boundary.isEmpty else {
            return await drainAndFail(request, .malformedPost, requestID)
        }

        var upload = UploadInProgress(endpoint: self, boundary: boundary)
        do {
            for try await chunk in request.body {
                upload.consume(chunk)
            }
        } catch {
            upload.abandon()
            return errorResponse(S3Error(status: 400, code: "IncompleteBody",
                                         message: "You did not provide the number of bytes specified by the Content-Length HTTP header"), requestID)
        }
        switch upload.finish() {
        case let .failure(error):
            return errorResponse(error, requestID)
        case let .success(accepted):
            let object = StoredObject(bucket: bucket, key: accepted.key, path: accepted.path, size: accepted.size,
                                      contentType: accepted.contentType, etag: accepted.etag, storedAt: now())
            await store.commit(object)
            return successResponse(object, fields: accepted.fields, request: request, requestID: requestID)
        }
    }

    func location(forKey key: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return baseURL() + (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)
    }

    private func successResponse(_ object: StoredObject, fields: [String: String], request: Request, requestID: String) -> Response {
        var headers: [(String, String)] = [
            ("ETag", object.etag), ("Location", location(forKey: object.key)), ("Server", "AmazonS3"),
            ("x-amz-request-id", requestID), ("x-amz-id-2", Data(requestID.utf8).base64EncodedString()),
        ]
        if let sse = request.header("x-amz-server-side-encryption") ?? fields["x-amz-server-side-encryption"] {
            headers.append(("x-amz-server-side-encryption", sse))
        }
        if let redirect = fields["success_action_redirect"] ?? fields["redirect"], var components = URLComponents(string: redirect),
           components.scheme != nil {
            components.queryItems = (components.queryItems ?? []) + [
                URLQueryItem(name: "bucket", value: object.bucket), URLQueryItem(name: "key", value: object.key),
                URLQueryItem(name: "etag", value: object.etag),
            ]
            if let target = components.string {
                return Reply.empty(303, headers: headers.filter { $0.0 != "Location" } + [("Location", target)])
            }
        }
        switch fields["success_action_status"] {
        case "200":
            return Reply.empty(200, headers: headers)
        case "201":
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>\(S3Error.escape(location(forKey: object.key)))</Location>"
                + "<Bucket>\(S3Error.escape(object.bucket))</Bucket><Key>\(S3Error.escape(object.key))</Key>"
                + "<ETag>\(S3Error.escape(object.etag))</ETag></PostResponse>"
            return Reply.make(status: 201, contentType: "application/xml", body: body, headers: headers)
        default:
            return Reply.empty(204, headers: headers)
        }
    }

    func errorResponse(_ error: S3Error, _ requestID: String) -> Response {
        Reply.make(status: error.status, contentType: "application/xml", body: error.xml(requestID: requestID),
                   headers: [("x-amz-request-id", requestID), ("Server", "AmazonS3")])
    }

    private func drainAndFail(_ request: Request, _ error: S3Error, _ requestID: String) async -> Response {
        do { for try await _ in request.body {} } catch {}
        return errorResponse(error, requestID)
    }

    /// Checks the form as it stands when the file part begins (s3-post.md §10 steps 3-7).
    /// `fields` keep their original names and order; `filename` is the file part's name.
    func validateForm(_ fields: [(name: String, value: String)], filename: String?) -> Result<[(name: String, value: String)], S3Error> {
        let base = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let expanded = fields.map { field -> (name: String, value: String) in
            let lower = field.name.lowercased()
            if lower == "policy" || lower == "signature" || lower == "x-amz-signature" { return field }
            return (field.name, field.value.replacingOccurrences(of: "${filename}", with: base))
        }
        func value(_ name: String) -> String? { expanded.first { $0.name.lowercased() == name }?.value }
        guard value("key") != nil else { return .failure(.missingField("key")) }
        guard let policyText = value("policy") else {
            return .failure(S3Error(status: 403, code: "AccessDenied", message: "Access Denied"))
        }
        if value("x-amz-signature") != nil || value("x-amz-algorithm") != nil {
            if let failure = verifySignatureV4(value) { return .failure(failure) }
            return evaluatePolicy(policyText, expanded)
        }
        guard let keyID = value("awsaccesskeyid") else { return .failure(.missingField("AWSAccessKeyId")) }
        guard let signature = value("signature") else { return .failure(.missingField("Signature")) }
        guard keyID == accessKeyID else {
            return .failure(S3Error(status: 403, code: "InvalidAccessKeyId",
                                    message: "The AWS Access Key Id you provided does not exist in our records.",
                                    extra: [("AWSAccessKeyId", keyID)]))
        }
        guard SignatureV2.verify(policy: policyText, signature: signature, secret: secret) else {
            return .failure(S3Error(status: 403, code: "SignatureDoesNotMatch",
                                    message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                                    extra: [("AWSAccessKeyId", keyID), ("StringToSign", policyText), ("SignatureProvided", signature)]))
        }
        return evaluatePolicy(policyText, expanded)
    }

    private func evaluatePolicy(_ policyText: String, _ expanded: [(name: String, value: String)]) -> Result<[(name: String, value: String)], S3Error> {
        let policy: PostPolicy
        do { policy = try PostPolicy.parse(base64: policyText) } catch { return .failure(error) }
        if let failure = policy.evaluate(fields: expanded, bucket: bucket, now: now()) { return .failure(failure) }
        return .success(expanded)
    }

    /// SigV4 form fields (s3-post.md §6): all four present, our key id, a matching signature.
    private func verifySignatureV4(_ value: (String) -> String?) -> S3Error? {
        for name in ["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"] where value(name) == nil {
            return .missingField(name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-"))
        }
        let algorithm = value("x-amz-algorithm") ?? ""
        guard algorithm == "AWS4-HMAC-SHA256" else {
            return S3Error(status: 400, code: "InvalidArgument", message: "Unsupported algorithm \(algorithm).",
                           extra: [("ArgumentName", "x-amz-algorithm"), ("ArgumentValue", algorithm)])
        }
        let credential = value("x-amz-credential") ?? ""
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[3] == "s3", scope[4] == "aws4_request" else {
            return S3Error(status: 400, code: "InvalidArgument", message: "Invalid credential scope \(credential).",
                           extra: [("ArgumentName", "x-amz-credential"), ("ArgumentValue", credential)])
        }
        guard scope[0] == accessKeyID else {
            return S3Error(status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records.",
                           extra: [("AWSAccessKeyId", scope[0])])
        }
        let policyText = value("policy") ?? ""
        let expected = SignatureV4.sign(policy: policyText, secret: secret, date: scope[1], region: scope[2])
        guard SignatureV4.constantTimeEqual(expected, (value("x-amz-signature") ?? "").lowercased()) else {
            return S3Error(status: 403, code: "SignatureDoesNotMatch",
                           message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        }
        return nil
    }
}

/// What a successful upload produced.
struct AcceptedUpload {
    var key: String
    var path: String
    var size: Int64
    var etag: String
    var contentType: String?
    /// Lower-cased field names to values (after `${filename}` expansion).
    var fields: [String: String]
}

/// The state of one streaming POST: fields so far, the file being written, or the first failure.
private struct UploadInProgress {
    private enum Mode {
        case text(name: String, bytes: [UInt8])
        case file
        case skip
    }

    let endpoint: S3PostEndpoint
    var parser: MultipartStreamParser
    private var mode = Mode.skip
    var fields: [(name: String, value: String)] = []
    var expanded: [(name: String, value: String)] = []
    var preFileBytes = 0
    var fileSeen = false
    var fileDone = false
    var failure: S3Error?
    var policy: PostPolicy?
    var handle: FileHandle?
    var path: String?
    var size: Int64 = 0
    var md5 = StreamingDigest(.md5)

    let boundaryLength: Int

    init(endpoint: S3PostEndpoint, boundary: String) {
        self.endpoint = endpoint
        boundaryLength = boundary.utf8.count
        parser = MultipartStreamParser(boundary: boundary)
    }

    mutating func consume(_ chunk: ByteBuffer) {
        // After a failure the rest of the body is read and dropped so the client sees the answer.
        guard failure == nil, !parser.isFinished else { return }
        do {
            let events = try parser.feed(chunk.readableBytesView)
            for event in events {
                countPreFileBytes(event)
                if failure != nil { break }
                handle(event)
                if failure != nil { break }
            }
        } catch {
            fail(.malformedPost)
        }
    }

    /// Fields, part headers and boundaries before the file may not exceed 20 KB (s3-post.md §2).
    private mutating func countPreFileBytes(_ event: MultipartEvent) {
        guard !fileSeen else { return }
        switch event {
        case let .partBegin(headers):
            if headers.name?.lowercased() == "file" { return }
            preFileBytes += boundaryLength + 6 + headers.fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        case let .partData(bytes):
            if case .text = mode { preFileBytes += bytes.count }
        case .partEnd, .end:
            return
        }
        if preFileBytes > S3PostEndpoint.maxPreFileBytes {
            fail(S3Error(status: 400, code: "MaxPostPreDataLengthExceededError",
                         message: "Your POST request fields preceeding the upload file was too large.",
                         extra: [("MaxPostPreDataLength", String(S3PostEndpoint.maxPreFileBytes))]))
        }
    }

    private mutating func handle(_ event: MultipartEvent) {
        switch event {
        case let .partBegin(headers):
            if fileSeen {
                mode = .skip  // S3 ignores everything after the file.
                return
            }
            let name = headers.name ?? ""
            if name.lowercased() == "file" {
                fileSeen = true
                beginFile(filename: headers.filename)
            } else {
                mode = .text(name: name, bytes: [])
            }
        case let .partData(bytes):
            switch mode {
            case .text(let name, var collected):
                collected.append(contentsOf: bytes)
                mode = .text(name: name, bytes: collected)
            case .file:
                writeFile(bytes)
            case .skip:
                break
            }
        case .partEnd:
            switch mode {
            case let .text(name, bytes):
                fields.append((name, String(decoding: bytes, as: UTF8.self)))
            case .file:
                fileDone = true
                closeFile()
            case .skip:
                break
            }
            mode = .skip
        case .end:
            break
        }
    }

    private mutating func beginFile(filename: String?) {
        switch endpoint.validateForm(fields, filename: filename) {
        case let .failure(error):
            fail(error)
        case let .success(expandedFields):
            expanded = expandedFields
            do { policy = try PostPolicy.parse(base64: expandedFields.first { $0.name.lowercased() == "policy" }?.value ?? "") } catch {
                fail(error)
                return
            }
            let key = expandedFields.first { $0.name.lowercased() == "key" }?.value ?? ""
            let target = endpoint.store.temporaryPath(forKey: key)
            guard FileManager.default.createFile(atPath: target, contents: nil),
                  let fileHandle = FileHandle(forWritingAtPath: target) else {
                fail(S3Error(status: 500, code: "InternalError", message: "The sandbox could not create a file for the upload."))
                return
            }
            path = target
            handle = fileHandle
            mode = .file
        }
    }

    private mutating func writeFile(_ bytes: [UInt8]) {
        size += Int64(bytes.count)
        if let max = policy?.lengthRange?.upperBound, size > max, let error = policy?.checkLength(size) {
            fail(error)
            return
        }
        md5.update(bytes)
        do { try handle?.write(contentsOf: Data(bytes)) } catch {
            fail(S3Error(status: 500, code: "InternalError", message: "The sandbox could not write the upload: \(error)"))
        }
    }

    private mutating func closeFile() {
        try? handle?.close()
        handle = nil
    }

    mutating func fail(_ error: S3Error) {
        if failure == nil { failure = error }
        abandon()
    }

    /// Drops the partly written file.
    mutating func abandon() {
        closeFile()
        if let path { try? FileManager.default.removeItem(atPath: path) }
        path = nil
    }

    mutating func finish() -> Result<AcceptedUpload, S3Error> {
        if let failure { return .failure(failure) }
        guard parser.isFinished || fileDone else {
            abandon()
            return .failure(.malformedPost)
        }
        guard fileSeen else {
            // Without a file the form's own problems (e.g. a missing key) come first.
            if case let .failure(error) = endpoint.validateForm(fields, filename: nil) { return .failure(error) }
            return .failure(S3Error(status: 400, code: "IncorrectNumberOfFilesInPostRequest",
                                    message: "POST requires exactly one file upload per request.",
                                    extra: [("ProposedNumberOfFiles", "0"), ("MaxNumberOfFiles", "1")]))
        }
        if let error = policy?.checkLength(size) {
            abandon()
            return .failure(error)
        }
        guard let path else { return .failure(.malformedPost) }
        closeFile()
        let digest = md5.finalize().map { String(format: "%02x", $0) }.joined()
        var map: [String: String] = [:]
        for (name, value) in expanded { map[name.lowercased()] = value }
        return .success(AcceptedUpload(key: map["key"] ?? "", path: path, size: size, etag: "\"\(digest)\"",
                                       contentType: map["content-type"], fields: map))
    }
}
