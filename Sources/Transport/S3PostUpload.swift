import Foundation

/// A pre-signed S3 POST form as a vendor hands it out: where to post, the fields in order,
/// extra HTTP headers, and the limits the policy sets.
public struct S3PostForm: Sendable {
    /// The bucket URL (the form's action).
    public var url: String
    /// The form's method; only POST is supported.
    public var method: String
    /// Form fields, sent verbatim in this order before the file.
    public var fields: [(String, String)]
    /// Headers to send on the POST itself (e.g. `x-amz-server-side-encryption`).
    public var headers: [(String, String)]
    /// When the policy expires; nil when unknown.
    public var expiresAt: Date?
    /// Largest file the policy accepts; nil when unknown.
    public var maxLength: Int64?

    /// Creates a form.
    public init(url: String, method: String = "POST", fields: [(String, String)], headers: [(String, String)] = [],
                expiresAt: Date? = nil, maxLength: Int64? = nil) {
        self.url = url
        self.method = method
        self.fields = fields
        self.headers = headers
        self.expiresAt = expiresAt
        self.maxLength = maxLength
    }

    /// The value of field `name` (case-insensitive, as S3 matches names).
    public func field(_ name: String) -> String? {
        fields.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

/// What S3 accepted: the stored key and S3's own answers.
public struct S3UploadResult: Sendable, Equatable {
    /// HTTP status (200, 201 or 204).
    public var status: Int
    /// The object key with `${filename}` replaced.
    public var key: String?
    /// `ETag` header, quotes included, when S3 sent one.
    public var etag: String?
    /// `Location` header, when S3 sent one.
    public var location: String?
    /// File bytes sent.
    public var bytes: Int64
    /// Seconds from first byte to answer.
    public var seconds: Double
}

/// Why an S3 POST upload did not happen or was refused.
public enum S3UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The form's policy has expired (or will before the upload could start): ask the vendor for a new one.
    case formExpired(expiresAt: Date)
    /// The file is larger than the policy allows.
    case fileTooLarge(path: String, size: Int64, maximum: Int64)
    /// The file cannot be read.
    case fileUnreadable(path: String, reason: String)
    /// The file changed size while it was being sent.
    case fileChanged(path: String, expected: Int64)
    /// The form asks for a method other than POST.
    case unsupportedMethod(String)
    /// S3 answered with an error; `code` and `message` are S3's own words.
    case rejected(status: Int, code: String?, message: String?, url: String, body: String)

    /// What went wrong, with the facts a user needs (path, status, vendor text); never a secret.
    public var description: String {
        switch self {
        case .formExpired(let date):
            return "the S3 upload form expired at \(HTTPDate.format(date)); a new upload must be created"
        case .fileTooLarge(let path, let size, let maximum):
            return "\(path) is \(size) bytes; the upload form accepts at most \(maximum) bytes"
        case .fileUnreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .fileChanged(let path, let expected):
            return "\(path) changed while it was uploaded (expected \(expected) bytes)"
        case .unsupportedMethod(let method):
            return "the upload form asks for method '\(method)'; only POST is supported"
        case .rejected(let status, let code, let message, let url, let body):
            if code != nil || message != nil {
                return "S3 refused the upload to \(url) (HTTP \(status)): \(code ?? "?"): \(message ?? "")"
            }
            let excerpt = body.isEmpty ? "" : ": " + String(body.prefix(300))
            return "S3 refused the upload to \(url) (HTTP \(status))\(excerpt)"
        }
    }

    /// Whether S3 refused the form because its policy expired.
    public var isPolicyExpired: Bool {
        switch self {
        case .formExpired: return true
        case .rejected(_, let code, let message, _, _):
            return code == "AccessDenied" && (message?.localizedCaseInsensitiveContains("expired") ?? false)
        default: return false
        }
    }
}

/// Reports upload progress: file bytes handed to the connection so far, and the file's size.
public typealias UploadProgress = @Sendable (_ sent: Int64, _ total: Int64) -> Void

/// Uploads a file to a pre-signed S3 POST form, streamed from disk as `multipart/form-data`.
///
/// Memory stays flat whatever the file size: the body is read in chunks as the connection drains.
/// It sends no vendor credentials: only the form's fields and headers travel.
/// ```swift
/// let result = try await S3PostUpload(transport: transport).upload(form, file: "/tmp/c.csv", contentType: "text/csv")
/// ```
public struct S3PostUpload: Sendable {
    /// The transport used; requests carry only what the form says.
    public let transport: HTTPTransport
    /// Bytes read from disk per chunk.
    public var chunkSize: Int
    /// An upload must be able to start this long before the form expires.
    public var expiryMargin: TimeInterval

    /// Creates an uploader over `transport`.
    public init(transport: HTTPTransport, chunkSize: Int = 1 << 20, expiryMargin: TimeInterval = 5) {
        self.transport = transport
        self.chunkSize = max(4096, chunkSize)
        self.expiryMargin = expiryMargin
    }

    /// Uploads `path` with the form; `fileName` (default: the path's last component) is the file
    /// part's filename, `contentType` fills the `Content-Type` field when the form has none.
    public func upload(_ form: S3PostForm, file path: String, fileName: String? = nil, contentType: String,
                       now: Date = Date(), progress: UploadProgress? = nil) async throws -> S3UploadResult {
        guard form.method.caseInsensitiveCompare("post") == .orderedSame else {
            throw S3UploadError.unsupportedMethod(form.method)
        }
        if let expiresAt = form.expiresAt, expiresAt.timeIntervalSince(now) <= expiryMargin {
            throw S3UploadError.formExpired(expiresAt: expiresAt)
        }
        let size = try Self.fileSize(path)
        if let maximum = form.maxLength, size > maximum {
            throw S3UploadError.fileTooLarge(path: path, size: size, maximum: maximum)
        }
        let name = fileName ?? URL(fileURLWithPath: path).lastPathComponent
        let body = MultipartFileBody(form: form, path: path, fileName: name, contentType: contentType,
                                     fileSize: size, chunkSize: chunkSize, progress: progress)
        var headers = form.headers.filter { header in
            !["authorization", "x-api-key", "x-account-key", "content-type", "content-length", "host"]
                .contains(header.0.lowercased())
        }
        headers.append(("Content-Type", "multipart/form-data; boundary=\(body.boundary)"))
        let request = TransportRequest(
            method: "POST", url: form.url, headers: headers,
            body: .stream(length: body.length, source: body),
            safety: .idempotent,  // the key is fixed by the policy: a repeat stores the same object again
            retry: nil, totalTimeout: .seconds(24 * 3600), classifier: Self.classify
        )
        let started = Date()
        let response = try await transport.send(request)
        let seconds = Date().timeIntervalSince(started)
        let shownURL = Redactor.standard.redact(url: form.url)
        guard [200, 201, 204].contains(response.status) else {
            let xml = response.text
            throw S3UploadError.rejected(status: response.status, code: Self.element("Code", in: xml),
                                         message: Self.element("Message", in: xml), url: shownURL,
                                         body: Redactor.standard.redact(text: xml))
        }
        let key = form.field("key").map { $0.replacingOccurrences(of: "${filename}", with: name) }
        transport.logger.debug("S3 upload finished", metadata: [
            "url": .string(shownURL), "bytes": .stringConvertible(size), "seconds": .stringConvertible(seconds),
            "status": .stringConvertible(response.status),
        ])
        return S3UploadResult(status: response.status, key: key, etag: response.header("ETag"),
                              location: response.header("Location"), bytes: size, seconds: seconds)
    }

    /// S3's retryable answers: 500 InternalError and 503 SlowDown are documented as "retry the request";
    /// 502 and 504 come from proxies in front of it; 429 is a rate limit.
    static let classify: ResponseClassifier = { response in
        switch response.status {
        case 429: return .rateLimited(reason: "429 Too Many Requests")
        case 500, 502, 503, 504:
            let code = element("Code", in: response.text).map { " \($0)" } ?? ""
            return .retry(reason: "HTTP \(response.status)\(code)")
        default: return .accept
        }
    }

    static func fileSize(_ path: String) throws -> Int64 {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard (attributes[.type] as? FileAttributeType) != .typeDirectory else {
                throw S3UploadError.fileUnreadable(path: path, reason: "is a directory")
            }
            guard let size = attributes[.size] as? NSNumber else {
                throw S3UploadError.fileUnreadable(path: path, reason: "size unknown")
            }
            return size.int64Value
        } catch let error as S3UploadError {
            throw error
        } catch {
            throw S3UploadError.fileUnreadable(path: path, reason: "no such file or not accessible")
        }
    }

    /// The text of the first `<name>` element of a small XML document, entities decoded.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
              let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// The multipart body: text parts for the fields, then the file part read from disk in chunks.
struct MultipartFileBody: BodyChunkSource {
    let boundary: String
    let preamble: [UInt8]
    let epilogue: [UInt8]
    let path: String
    let fileSize: Int64
    let chunkSize: Int
    let progress: UploadProgress?

    var length: Int64 { Int64(preamble.count) + fileSize + Int64(epilogue.count) }

    init(form: S3PostForm, path: String, fileName: String, contentType: String, fileSize: Int64,
         chunkSize: Int, progress: UploadProgress?, boundary: String? = nil) {
        let boundary = boundary ?? "RosterFormBoundary" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        self.boundary = boundary
        var fields = form.fields
        if !fields.contains(where: { $0.0.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            fields.append(("Content-Type", contentType))
        }
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quote(name))\"\r\n\r\n\(value)\r\n"
        }
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(Self.quote(fileName))\"\r\n"
        text += "Content-Type: \(contentType)\r\n\r\n"
        self.preamble = Array(text.utf8)
        self.epilogue = Array("\r\n--\(boundary)--\r\n".utf8)
        self.path = path
        self.fileSize = fileSize
        self.chunkSize = chunkSize
        self.progress = progress
    }

    /// Escapes a parameter value the way browsers do for multipart names.
    static func quote(_ value: String) -> String {
        value.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    func makeReader() throws -> any BodyChunkReader {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw S3UploadError.fileUnreadable(path: path, reason: "cannot open (errno \(errno))")
        }
        return MultipartReader(body: self, fd: fd)
    }
}

/// One pass over a ``MultipartFileBody``.
final class MultipartReader: BodyChunkReader {
    private enum Phase { case preamble, file, epilogue, done }
    private let body: MultipartFileBody
    /// Read with read(2) straight into each chunk (no `Data`); the transport copies a chunk once into its buffer.
    private let fd: Int32
    private var phase = Phase.preamble
    private var sent: Int64 = 0

    init(body: MultipartFileBody, fd: Int32) {
        self.body = body
        self.fd = fd
    }

    deinit { close(fd) }

    func next() async throws -> [UInt8]? {
        switch phase {
        case .preamble:
            phase = .file
            body.progress?(0, body.fileSize)
            return body.preamble
        case .file:
            let wanted = Int(min(Int64(body.chunkSize), body.fileSize - sent))
            if wanted <= 0 {
                phase = .epilogue
                return try await next()
            }
            let fd = self.fd
            var failed: Int32 = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
                var filled = 0
                while filled < wanted {
                    let n = read(fd, buffer.baseAddress.map { $0 + filled }, wanted - filled)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failed = errno; break }
                    if n == 0 { break }
                    filled += n
                }
                initialized = filled
            }
            if failed != 0 { throw S3UploadError.fileUnreadable(path: body.path, reason: "read failed (errno \(failed))") }
            guard !chunk.isEmpty else {
                throw S3UploadError.fileChanged(path: body.path, expected: body.fileSize)
            }
            sent += Int64(chunk.count)
            body.progress?(sent, body.fileSize)
            return chunk
        case .epilogue:
            phase = .done
            return body.epilogue
        case .done:
            return nil
        }
    }
}
