// JSON records streamed from {"contacts":[...]}, a top-level array, or JSON Lines; nested objects flatten to `a.b`.
//
// The header is the union of all records' keys in first-seen order. A stream cannot know later keys in
// advance, so opening makes a first pass over the file that only collects keys (streamed, values dropped),
// then reading starts again from the top. Both passes hold one record at a time.

/// Streams records from a JSON document; see the file comment for the accepted layouts.
public final class JSONReader: TableReader {
    public private(set) var header: [String] = []
    public var info: SourceInfo {
        var result = SourceInfo(path: path, format: .json, encoding: "utf-8")
        result.warnings = warnings.all
        return result
    }

    /// Where the records are.
    enum Layout: Equatable {
        /// Elements of the array under this key of the top-level object (Whispir's `contacts`).
        case wrapped(String)
        /// Elements of a top-level array.
        case array
        /// Top-level objects one after another (JSON Lines, or one single object).
        case lines
    }

    private let path: String
    private(set) var layout: Layout = .lines
    private var tokens: JSONTokenizer
    private var column: [String: Int] = [:]
    private var warnings = WarningLog()
    private var recordNumber = 0
    private var finished = false
    private var started = false

    /// Opens `path` and collects the header in a first streaming pass.
    public init(path: String, options: ReadOptions = ReadOptions()) throws {
        self.path = path
        let keys = try Self.scanKeys(path: path, maxTokenBytes: options.maxFieldBytes)
        layout = keys.layout
        let (names, notes) = HeaderNames.normalize(keys.names)
        header = names
        for (index, key) in keys.names.enumerated() { column[key] = index }
        for note in notes { warnings.add(note) }
        tokens = try JSONTokenizer(path: path, maxTokenBytes: options.maxFieldBytes)
    }

    public func next() throws -> ReadEvent? {
        if finished { return nil }
        if !started {
            started = true
            try enterRecords()
        }
        while true {
            var token = try tokens.next()
            if layout != .lines {
                if token == .comma, recordNumber > 0 { token = try tokens.next() }
                if token == .endArray || token == .end {
                    finished = true
                    return nil
                }
            } else if token == .end {
                finished = true
                return nil
            }
            let line = tokens.tokenLine
            recordNumber += 1
            var fields: [(String, String)] = []
            var invalid = false
            do {
                if token == .beginObject {
                    try readObject(prefix: "", into: &fields, invalid: &invalid)
                } else {
                    let text = try captureValue(first: token)
                    return .rejected(RejectedRecord(number: recordNumber, line: line,
                                                    reason: "expected an object (a contact), found \(text.prefix(40))", values: [text]))
                }
            } catch let error as TabularError where layout == .lines {
                try tokens.skipLine()
                return .rejected(RejectedRecord(number: recordNumber, line: line, reason: error.description, values: fields.map(\.1)))
            }
            var values = [String](repeating: "", count: header.count)
            for (key, value) in fields {
                if let index = column[key] { values[index] = value }
            }
            if invalid {
                warnings.add("record \(recordNumber) (line \(line)) has a string that is not UTF-8", kind: "encoding")
                return .rejected(RejectedRecord(number: recordNumber, line: line,
                                                reason: "invalid UTF-8 byte sequence: save the file as UTF-8", values: values))
            }
            return .record(Record(values: values, number: recordNumber, line: line))
        }
    }

    /// Positions the tokenizer just inside the records array (no-op for JSON Lines).
    private func enterRecords() throws {
        switch layout {
        case .lines:
            return
        case .array:
            guard try tokens.next() == .beginArray else { throw tokens.syntaxError("expected [") }
        case let .wrapped(key):
            guard try tokens.next() == .beginObject else { throw tokens.syntaxError("expected {") }
            while true {
                let token = try tokens.next()
                if token == .comma { continue }
                guard token == .string else { throw tokens.syntaxError("expected the key \"\(key)\"") }
                let name = tokens.text
                guard try tokens.next() == .colon else { throw tokens.syntaxError("expected :") }
                if name == key {
                    guard try tokens.next() == .beginArray else { throw tokens.syntaxError("expected [ after \"\(key)\"") }
                    return
                }
                try skipValue(first: tokens.next())
            }
        }
    }

    /// Reads the members of an object whose `{` was consumed, flattening nested objects.
    private func readObject(prefix: String, into fields: inout [(String, String)], invalid: inout Bool) throws {
        var token = try tokens.next()
        if token == .endObject { return }
        while true {
            guard token == .string else { throw tokens.syntaxError("expected a key") }
            let key = prefix.isEmpty ? tokens.text : prefix + "." + tokens.text
            guard try tokens.next() == .colon else { throw tokens.syntaxError("expected : after a key") }
            let value = try tokens.next()
            switch value {
            case .beginObject:
                try readObject(prefix: key, into: &fields, invalid: &invalid)
            case .string:
                if tokens.textWasInvalid { invalid = true }
                fields.append((key, tokens.text))
            case .number:
                fields.append((key, tokens.text))
            case .trueValue: fields.append((key, "true"))
            case .falseValue: fields.append((key, "false"))
            case .null: fields.append((key, ""))
            case .beginArray:
                fields.append((key, try captureValue(first: value)))
            default:
                throw tokens.syntaxError("expected a value")
            }
            token = try tokens.next()
            if token == .endObject { return }
            guard token == .comma else { throw tokens.syntaxError("expected , or }") }
            token = try tokens.next()
        }
    }

    /// Re-serialises a value compactly (arrays are kept as JSON text in one column).
    private func captureValue(first: JSONToken) throws -> String {
        let out = ByteOutput(memoryNamed: "")
        var depth = 0
        var token = first
        while true {
            switch token {
            case .beginObject: out.append(UInt8(ascii: "{")); depth += 1
            case .beginArray: out.append(UInt8(ascii: "[")); depth += 1
            case .endObject: out.append(UInt8(ascii: "}")); depth -= 1
            case .endArray: out.append(UInt8(ascii: "]")); depth -= 1
            case .colon: out.append(UInt8(ascii: ":"))
            case .comma: out.append(UInt8(ascii: ","))
            case .string: JSONContactWriter.appendString(tokens.text, to: out)
            case .number: out.append(tokens.text)
            case .trueValue: out.append("true")
            case .falseValue: out.append("false")
            case .null: out.append("null")
            case .end: throw tokens.syntaxError("unexpected end of file")
            }
            if depth <= 0 { break }
            token = try tokens.next()
        }
        return String(decoding: try out.takeBytes(), as: UTF8.self)
    }

    private func skipValue(first: JSONToken) throws {
        var depth = 0
        var token = first
        while true {
            switch token {
            case .beginObject, .beginArray: depth += 1
            case .endObject, .endArray: depth -= 1
            case .end: throw tokens.syntaxError("unexpected end of file")
            default: break
            }
            if depth <= 0 { return }
            token = try tokens.next()
        }
    }

    /// The first pass: layout and flattened keys in first-seen order.
    static func scanKeys(path: String, maxTokenBytes: Int) throws -> (layout: Layout, names: [String]) {
        let scanner = try JSONReader(scanning: path, maxTokenBytes: maxTokenBytes)
        do {
            return try scanner.collectKeys()
        } catch {
            // Broken further down: keep the keys seen so far; reading then stops with this error at its line.
            guard let layout = scanner.detected else { throw error }
            return (layout, scanner.ordered)
        }
    }

    private var detected: Layout?
    private var seen: Set<String> = []
    private var ordered: [String] = []

    private init(scanning path: String, maxTokenBytes: Int) throws {
        self.path = path
        tokens = try JSONTokenizer(path: path, maxTokenBytes: maxTokenBytes)
    }

    private func note(_ key: String) {
        if seen.insert(key).inserted { ordered.append(key) }
    }

    private func collectKeys() throws -> (layout: Layout, names: [String]) {
        let first = try tokens.next()
        switch first {
        case .end:
            return (.lines, [])
        case .beginArray:
            detected = .array
            try collectFromArray()
            return (.array, ordered)
        case .beginObject:
            // Either a wrapper holding an array of records, or the first of JSON Lines.
            var token = try tokens.next()
            var wrapped: String?
            while token != .endObject {
                if token == .comma { token = try tokens.next(); continue }
                guard token == .string else { throw tokens.syntaxError("expected a key") }
                let key = tokens.text
                guard try tokens.next() == .colon else { throw tokens.syntaxError("expected :") }
                let value = try tokens.next()
                if value == .beginArray, wrapped == nil {
                    let provisional = ordered
                    ordered = []
                    seen = []
                    detected = .wrapped(key)
                    let (objects, elements) = try collectFromArray()
                    if objects > 0 || (provisional.isEmpty && elements == 0) {
                        wrapped = key
                    } else {
                        detected = nil
                        ordered = provisional
                        seen = Set(provisional)
                        note(key)
                    }
                } else if wrapped == nil {
                    try collectValue(prefix: key, first: value)
                } else {
                    try skipValue(first: value)
                }
                token = try tokens.next()
            }
            if let wrapped { return (.wrapped(wrapped), ordered) }
            detected = .lines
            while true {
                let token = try tokens.next()
                if token == .end { return (.lines, ordered) }
                do {
                    try collectValue(prefix: "", first: token)
                } catch {
                    // A bad line is rejected while reading; keep scanning keys after it.
                    try tokens.skipLine()
                }
            }
        default:
            throw tokens.syntaxError("expected [ or { at the start of the document")
        }
    }

    /// Collects keys from the elements of an array whose `[` was consumed; counts objects and elements.
    @discardableResult
    private func collectFromArray() throws -> (objects: Int, elements: Int) {
        var objects = 0
        var elements = 0
        while true {
            let token = try tokens.next()
            if token == .endArray { return (objects, elements) }
            if token == .comma { continue }
            elements += 1
            if token == .beginObject { objects += 1 }
            try collectValue(prefix: "", first: token)
        }
    }

    private func collectValue(prefix: String, first: JSONToken) throws {
        switch first {
        case .beginObject:
            var token = try tokens.next()
            while token != .endObject {
                if token == .comma { token = try tokens.next(); continue }
                guard token == .string else { throw tokens.syntaxError("expected a key") }
                let key = prefix.isEmpty ? tokens.text : prefix + "." + tokens.text
                guard try tokens.next() == .colon else { throw tokens.syntaxError("expected :") }
                try collectValue(prefix: key, first: tokens.next())
                token = try tokens.next()
            }
        case .beginArray:
            if !prefix.isEmpty { note(prefix) }
            try skipValue(first: first)
        case .end:
            throw tokens.syntaxError("unexpected end of file")
        default:
            if !prefix.isEmpty { note(prefix) }
        }
    }
}
