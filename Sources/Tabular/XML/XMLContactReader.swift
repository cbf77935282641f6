// Whispir's XML import documents (`import/contacts/contact`, any namespace prefix), streamed through
// libxml2's SAX2 push parser. Each `contact` element is a record; its child elements are fields
// (deeper elements flatten to `a.b`). Like JSON, a first streaming pass collects the field names.
// Entities are never expanded from outside: no XML_PARSE_NOENT, no DTDLOAD, NONET on.
import CTabularXML

/// Streams `contact` records from an XML document.
public final class XMLContactReader: TableReader {
    public private(set) var header: [String] = []
    public var info: SourceInfo {
        var result = SourceInfo(path: path, format: .xml, encoding: "utf-8")
        result.warnings = warnings.all + state.warnings.all
        return result
    }

    /// The local name of the record element.
    public static let recordElement = "contact"

    private let path: String
    private let state: XMLRecordCollector
    private var column: [String: Int] = [:]
    private var warnings = WarningLog()
    private var queueIndex = 0
    private var recordNumber = 0
    private var pendingError: (any Error)?

    /// Opens `path`; a first pass collects the field names.
    public init(path: String, options: ReadOptions = ReadOptions()) throws {
        self.path = path
        let scan = try XMLRecordCollector(path: path, keysOnly: true, maxFieldBytes: options.maxFieldBytes)
        do {
            while try scan.pump() {}
        } catch {
            // Reported with its line when reading reaches it; records before it still come out.
        }
        let keys = scan.keys
        let (names, notes) = HeaderNames.normalize(keys)
        header = names
        for (index, key) in keys.enumerated() { column[key] = index }
        for note in notes { warnings.add(note) }
        state = try XMLRecordCollector(path: path, keysOnly: false, maxFieldBytes: options.maxFieldBytes)
    }

    public func next() throws -> ReadEvent? {
        while queueIndex >= state.records.count {
            if let error = pendingError {
                pendingError = nil
                throw error
            }
            state.records.removeAll(keepingCapacity: true)
            queueIndex = 0
            do {
                if !(try state.pump()) && state.records.isEmpty { return nil }
            } catch {
                // Hand out the records parsed before the error first.
                if state.records.isEmpty { throw error }
                pendingError = error
            }
        }
        let raw = state.records[queueIndex]
        queueIndex += 1
        recordNumber += 1
        var values = [String](repeating: "", count: header.count)
        for (key, value) in raw.fields {
            if let index = column[key] { values[index] = value }
        }
        if let problem = raw.problem {
            return .rejected(RejectedRecord(number: recordNumber, line: raw.line, reason: problem, values: values))
        }
        return .record(Record(values: values, number: recordNumber, line: raw.line))
    }
}

/// SAX state shared with the C callbacks through the context pointer.
final class XMLRecordCollector {
    struct RawRecord {
        var line: Int
        var fields: [(String, String)]
        /// Set when a field passed the ceiling; the record is rejected with it.
        var problem: String?
    }

    let path: String
    let keysOnly: Bool
    var records: [RawRecord] = []
    var keys: [String] = []
    var warnings = WarningLog()
    private var seenKeys: Set<String> = []
    private let file: FileInput
    private var parser: OpaquePointer?
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private var done = false

    // Parse state.
    private var depth = 0
    private var recordDepth: Int?
    private var recordLine = 0
    private var elementPath: [String] = []
    private var text: [UInt8] = []
    private var leafHasChildren = false
    private var fields: [(String, String)] = []
    private var problem: String?
    private let maxFieldBytes: Int

    init(path: String, keysOnly: Bool, maxFieldBytes: Int = ReadOptions.defaultMaxFieldBytes) throws {
        self.path = path
        self.maxFieldBytes = maxFieldBytes
        self.keysOnly = keysOnly
        file = try FileInput(path: path)
        let callbacks = TabularXMLCallbacks(
            start: { ctx, localname, line in
                guard let ctx, let localname else { return }
                XMLRecordCollector.from(ctx).startElement(String(cString: localname), line: Int(line))
            },
            end: { ctx in
                guard let ctx else { return }
                XMLRecordCollector.from(ctx).endElement()
            },
            text: { ctx, bytes, length in
                guard let ctx, let bytes, length > 0 else { return }
                XMLRecordCollector.from(ctx).characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
            },
            reference: { ctx, name in
                guard let ctx, let name else { return }
                XMLRecordCollector.from(ctx).warnings.add("entity &\(String(cString: name)); was not expanded (entities are never loaded)", kind: "entity")
            })
        // Unretained: the parser is freed in deinit, before self goes away.
        parser = tabular_xml_create(callbacks, Unmanaged.passUnretained(self).toOpaque(), path)
        if parser == nil { throw TabularError.malformed(path: path, line: nil, detail: "libxml2 could not create a parser (out of memory?)") }
    }

    deinit { tabular_xml_free(parser) }

    private static func from(_ ctx: UnsafeMutableRawPointer) -> XMLRecordCollector {
        Unmanaged<XMLRecordCollector>.fromOpaque(ctx).takeUnretainedValue()
    }

    /// Feeds one chunk to the parser; false once the document is finished.
    func pump() throws -> Bool {
        guard !done, let parser else { return false }
        let n = try chunk.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return try file.read(into: base, count: raw.count)
        }
        if n == 0 { done = true }
        let status = chunk.withUnsafeBytes { raw in
            tabular_xml_feed(parser, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(n), n == 0 ? 1 : 0)
        }
        if status != 0 {
            done = true
            var line: Int32 = 0
            let message = tabular_xml_error(parser, &line).map { String(cString: $0) } ?? "not well-formed"
            throw TabularError.malformed(path: path, line: Int(line), detail: "invalid XML: \(message)")
        }
        return !done
    }

    private func startElement(_ name: String, line: Int) {
        depth += 1
        if let recordDepth {
            if depth > recordDepth + 1, !elementPath.isEmpty { leafHasChildren = true }
            if depth > recordDepth { elementPath.append(name); text.removeAll(keepingCapacity: true); leafHasChildren = false }
        } else if name == XMLContactReader.recordElement {
            recordDepth = depth
            recordLine = line
            fields.removeAll()
            problem = nil
        }
    }

    private func endElement() {
        defer { depth -= 1 }
        guard let recordDepth else { return }
        if depth == recordDepth {
            if !keysOnly { records.append(RawRecord(line: recordLine, fields: fields, problem: problem)) }
            self.recordDepth = nil
            elementPath.removeAll()
            return
        }
        let key = elementPath.count == 1 ? elementPath[0] : elementPath.joined(separator: ".")
        if !leafHasChildren {
            if keysOnly {
                if seenKeys.insert(key).inserted { keys.append(key) }
            } else {
                fields.append((key, String(decoding: text, as: UTF8.self)))
            }
        }
        elementPath.removeLast()
        text.removeAll(keepingCapacity: true)
        // The parent now has had a child: it is not a leaf.
        leafHasChildren = true
    }

    private func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard recordDepth != nil, !elementPath.isEmpty, !keysOnly, problem == nil else { return }
        if text.count + bytes.count > maxFieldBytes {
            problem = "field \(elementPath.joined(separator: ".")) is longer than the \(ReadOptions.describe(bytes: maxFieldBytes)) field ceiling: check the file, or raise max_field_bytes if the value is real"
            text.removeAll()
            return
        }
        text.append(contentsOf: bytes)
    }
}
