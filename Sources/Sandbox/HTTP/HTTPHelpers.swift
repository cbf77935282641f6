import Foundation
import HTTPTypes
import Hummingbird

/// Small builders shared by the vendors' handlers.
enum Reply {
    static func make(status: Int, contentType: String?, body: String, headers: [(String, String)] = []) -> Response {
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        for (name, value) in headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let buffer = ByteBuffer(string: body)
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: buffer))
    }

    static func json(_ status: Int, _ value: JSONValue, contentType: String = "application/json",
                     headers: [(String, String)] = []) -> Response {
        make(status: status, contentType: contentType, body: value.serialized(), headers: headers)
    }

    static func empty(_ status: Int, headers: [(String, String)] = []) -> Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody())
    }
}

extension Request {
    /// A header value by case-insensitive name.
    func header(_ name: String) -> String? {
        guard let fieldName = HTTPField.Name(name) else { return nil }
        return headers[fieldName]
    }

    /// Query parameters, percent-decoded; the first value wins.
    func query(_ name: String) -> String? {
        guard let query = uri.query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            if key == name {
                let raw = parts.count > 1 ? String(parts[1]) : ""
                return raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw
            }
        }
        return nil
    }

    /// `(user, password)` from `Authorization: Basic …`, or `nil`.
    var basicCredentials: (user: String, password: String)? {
        guard let value = header("authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmedSpaces()),
              let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// Path split on `/` with empty segments dropped (so a trailing slash does not matter).
    var pathSegments: [String] {
        uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
    }
}

/// The body exceeded the given limit while being collected.
struct BodyTooLarge: Error {}

extension RequestBody {
    /// Collects at most `limit` bytes; throws `BodyTooLarge` after draining the rest.
    func collectBytes(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        var tooLarge = false
        for try await chunk in self {
            if tooLarge { continue }
            if bytes.count + chunk.readableBytes > limit {
                tooLarge = true
                bytes = []
                continue
            }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        if tooLarge { throw BodyTooLarge() }
        return bytes
    }
}

/// Random ids in the shapes the vendors use.
enum Identifiers {
    /// Omnigage: 22 characters from a 57-letter alphabet (no 0, 1, I, O, l), like shortuuid.
    static func omnigage() -> String {
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
        return String((0..<22).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    /// Upper- or lower-case hex of `length` characters.
    static func hex(_ length: Int, uppercase: Bool = false) -> String {
        let digits = Array(uppercase ? "0123456789ABCDEF" : "0123456789abcdef")
        return String((0..<length).map { _ in digits[Int.random(in: 0..<16)] })
    }
}

/// Date texts the vendors use.
enum Timestamps {
    /// `2020-02-28T20:44:47.940610+00:00` (Omnigage created-at/updated-at).
    static func microseconds(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = Int(((seconds - whole) * 1_000_000).rounded(.down))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let base = formatter.string(from: Date(timeIntervalSince1970: whole))
        return base + "." + String(format: "%06d", micros) + "+00:00"
    }

    /// `Fri, 28 Feb 2020 21:27:24 GMT` (Omnigage expires-at).
    static func rfc1123(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
