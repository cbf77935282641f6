import Foundation

/// One step of a multipart/form-data body as it streams in.
enum MultipartEvent: Sendable, Equatable {
    /// A part starts; headers are as sent (names kept in their original case).
    case partBegin(MultipartPartHeaders)
    /// Bytes of the current part's body (a part may arrive in many pieces).
    case partData([UInt8])
    /// The current part is complete.
    case partEnd
    /// The closing boundary was seen; anything after it is ignored.
    case end
}

/// The headers of one multipart part and the `Content-Disposition` parameters S3 cares about.
struct MultipartPartHeaders: Sendable, Equatable {
var fields: [(name: String, value: String)]
    /// `name` parameter of `Content-Disposition` (quoted or not).
var name: String?
    /// `filename` parameter; `filename*` (RFC 5987) is used when plain `filename` is absent.
var filename: String?

static func == (lhs: MultipartPartHeaders, rhs: MultipartPartHeaders) -> Bool {
        lhs.name == rhs.name && lhs.filename == rhs.filename
            && lhs.fields.map { "\($0.name):\($0.value)" } == rhs.fields.map { "\($0.name):\($0.value)" }
    }
}

/// Why a multipart body could not be read.
struct MultipartError: Error, Sendable, Equatable {
var reason: String
}

/// An incremental multipart/form-data parser: feed bytes as they arrive, get events back.
/// Memory stays bounded by the boundary length plus the header limit, whatever the part sizes.
struct MultipartStreamParser: Sendable {
    private enum State { case preamble, afterDelimiter, headers, body, done }

    private let delimiter: [UInt8]
    private let maxHeaderBytes: Int
    private var state = State.preamble
    private var buffer: [UInt8]
    private var start = 0

    /// `boundary` is the parameter from the request's Content-Type, already unquoted.
init(boundary: String, maxHeaderBytes: Int = 16 * 1024) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.maxHeaderBytes = maxHeaderBytes
        // A leading CRLF lets the first boundary match the same delimiter as the others.
        buffer = [13, 10]
    }

    /// True once the closing boundary has been seen.
var isFinished: Bool { state == .done }

    /// Consumes `bytes` and returns the events they complete.
mutating func feed(_ bytes: some Collection<UInt8>) throws(MultipartError) -> [MultipartEvent] {
        if state == .done { return [] }
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
        var events: [MultipartEvent] = []
        while try step(&events) {}
        return events
    }

    /// Signals the end of input; fails if the closing boundary never came.
mutating func finish() throws(MultipartError) -> [MultipartEvent] {
        guard state == .done else { throw MultipartError(reason: "body ended before the closing boundary") }
        return []
    }

    private var available: Int { buffer.count - start }

    /// Runs one transition; returns false when more input is needed.
    private mutating func step(_ events: inout [MultipartEvent]) throws(MultipartError) -> Bool {
        switch state {
        case .done:
            return false
        case .preamble:
            if let at = find(delimiter, from: start) {
                start = at + delimiter.count
                state = .afterDelimiter
                return true
            }
            // Keep only what could still be the start of a delimiter.
            start = max(start, buffer.count - (delimiter.count - 1))
            return false
        case .afterDelimiter:
            // Transport padding (spaces/tabs) may follow the boundary before CRLF.
            while available > 0, buffer[start] == 0x20 || buffer[start] == 0x09 { start += 1 }
            guard available >= 2 else { return false }
            if buffer[start] == UInt8(ascii: "-"), buffer[start + 1] == UInt8(ascii: "-") {
                state = .done
                events.append(.end)
                return false
            }
            guard buffer[start] == 13, buffer[start + 1] == 10 else {
                throw MultipartError(reason: "boundary not followed by CRLF")
            }
            start += 2
            state = .headers
            return true
        case .headers:
            let terminator: [UInt8] = [13, 10, 13, 10]
            // A part with no headers at all starts directly with CRLF.
            if available >= 2, buffer[start] == 13, buffer[start + 1] == 10 {
                start += 2
                events.append(.partBegin(MultipartPartHeaders(fields: [], name: nil, filename: nil)))
                state = .body
                return true
            }
            guard let at = find(terminator, from: start) else {
                if available > maxHeaderBytes { throw MultipartError(reason: "part headers too long") }
                return false
            }
            let text = String(decoding: buffer[start..<at], as: UTF8.self)
            start = at + terminator.count
            events.append(.partBegin(try Self.parseHeaders(text)))
            state = .body
            return true
        case .body:
            if let at = find(delimiter, from: start) {
                if at > start { events.append(.partData(Array(buffer[start..<at]))) }
                events.append(.partEnd)
                start = at + delimiter.count
                state = .afterDelimiter
                return true
            }
            let safeEnd = buffer.count - (delimiter.count - 1)
            if safeEnd > start {
                events.append(.partData(Array(buffer[start..<safeEnd])))
                start = safeEnd
            }
            return false
        }
    }

    /// First index of `needle` at or after `from`; memchr finds candidate first bytes (large uploads pass through here).
    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, buffer.count - from >= needle.count else { return nil }
        let last = buffer.count - needle.count
        return buffer.withUnsafeBufferPointer { haystack -> Int? in
            guard let base = haystack.baseAddress else { return nil }
            var i = from
            while i <= last {
                guard let hit = memchr(base + i, Int32(first), last - i + 1) else { return nil }
                let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                var j = 1
                while j < needle.count, haystack[position + j] == needle[j] { j += 1 }
                if j == needle.count { return position }
                i = position + 1
            }
            return nil
        }
    }

    static func parseHeaders(_ text: String) throws(MultipartError) -> MultipartPartHeaders {
        var fields: [(name: String, value: String)] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw MultipartError(reason: "malformed part header") }
            let name = line[..<colon].trimmedSpaces()
            let value = line[line.index(after: colon)...].trimmedSpaces()
            fields.append((name, value))
        }
        var headers = MultipartPartHeaders(fields: fields, name: nil, filename: nil)
        if let disposition = fields.first(where: { $0.name.lowercased() == "content-disposition" })?.value {
            let params = HeaderParameters.parse(disposition)
            headers.name = params.value(for: "name")
            headers.filename = params.value(for: "filename") ?? params.value(for: "filename*").map(Self.decodeRFC5987)
        }
        return headers
    }

    /// `utf-8''name%20with%20spaces` -> `name with spaces`.
    static func decodeRFC5987(_ value: String) -> String {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        let encoded = parts.count == 3 ? String(parts[2]) : value
        return encoded.removingPercentEncoding ?? encoded
    }
}

/// `type/subtype; a=1; b="quoted; value"` split into its parameters.
struct HeaderParameters: Sendable {
    var primary: String
    var parameters: [(String, String)]

    func value(for name: String) -> String? {
        parameters.first { $0.0 == name.lowercased() }?.1
    }

    static func parse(_ header: String) -> HeaderParameters {
        var items: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for ch in header {
            if escaped { current.append(ch); escaped = false; continue }
            if inQuotes && ch == "\\" { current.append(ch); escaped = true; continue }
            if ch == "\"" { inQuotes.toggle() }
            if ch == ";" && !inQuotes { items.append(current); current = ""; continue }
            current.append(ch)
        }
        items.append(current)
        let primary = items.first?.trimmedSpaces() ?? ""
        var parameters: [(String, String)] = []
        for item in items.dropFirst() {
            guard let eq = item.firstIndex(of: "=") else { continue }
            let key = item[..<eq].trimmedSpaces().lowercased()
            var value = item[item.index(after: eq)...].trimmedSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
                value = value.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
            }
            parameters.append((key, value))
        }
        return HeaderParameters(primary: primary, parameters: parameters)
    }
}

extension StringProtocol {
    func trimmedSpaces() -> String {
        let set: Set<Character> = [" ", "\t"]
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
