// Whispir's XML import documents (`import/contacts/contact`, any namespace prefix), streamed through
// libxml2's SAX2 push parser. Each `contact` element is a record; its child elements are fields
// (deeper elements flatten to `a.b`). Like JSON, a first streaming pass collects the field names.
// Entities are never expanded from outside: no XML_PARSE_NOENT, no DTDLOAD, NONET on.
import CLibXML2

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
        let scan = try XMLRecordCollector(path: path, keysOnly: true)
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
        state = try XMLRecordCollector(path: path, keysOnly: false)
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
        return .record(Record(values: values, number: recordNumber, line: raw.line))
    }
}

/// SAX state shared with the C callbacks through the parser context's `_private`.
final class XMLRecordCollector {
    struct RawRecord {
        var line: Int
        var fields: [(String, String)]
    }

    let path: String
    let keysOnly: Bool
    var records: [RawRecord] = []
    var keys: [String] = []
    var warnings = WarningLog()
    private var seenKeys: Set<String> = []
    private let file: FileInput
    private var context: xmlParserCtxtPtr?
    private var handler = xmlSAXHandler()
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private var done = false
    private var firstError: (line: Int, message: String)?

    // Parse state.
    private var depth = 0
    private var recordDepth: Int?
    private var recordLine = 0
    private var path_: [String] = []
    private var text: [UInt8] = []
    private var leafHasChildren = false
    private var fields: [(String, String)] = []

    init(path: String, keysOnly: Bool) throws {
        self.path = path
        self.keysOnly = keysOnly
        file = try FileInput(path: path)
        xmlSAXVersion(&handler, 2)
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { ctx, localname, _, _, _, _, _, _, _ in
            guard let state = XMLRecordCollector.state(ctx), let localname else { return }
            state.startElement(String(cString: localname), line: XMLRecordCollector.line(ctx))
        }
        handler.endElementNs = { ctx, _, _, _ in
            XMLRecordCollector.state(ctx)?.endElement()
        }
        handler.characters = { ctx, bytes, length in
            guard let bytes, length > 0 else { return }
            XMLRecordCollector.state(ctx)?.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        handler.cdataBlock = handler.characters
        handler.reference = { ctx, name in
            guard let state = XMLRecordCollector.state(ctx), let name else { return }
            state.warnings.add("entity &\(String(cString: name)); was not expanded (entities are never loaded)", kind: "entity")
        }
        handler.serror = { userData, error in
            guard let error, let ctxt = userData?.assumingMemoryBound(to: xmlParserCtxt.self),
                  let state = XMLRecordCollector.state(UnsafeMutableRawPointer(ctxt)) else { return }
            if error.pointee.level == XML_ERR_FATAL || error.pointee.level == XML_ERR_ERROR, state.firstError == nil {
                let message = error.pointee.message.map { String(cString: $0) } ?? "XML error \(error.pointee.code)"
                state.firstError = (Int(error.pointee.line), message.trimmingCharacters())
            }
        }
        handler.warning = nil
        handler.error = nil
        handler.externalSubset = nil
        handler.resolveEntity = nil
    }

    deinit {
        if let context {
            if let doc = context.pointee.myDoc { xmlFreeDoc(doc) }
            context.pointee._private = nil
            xmlFreeParserCtxt(context)
        }
    }

    private static func state(_ ctx: UnsafeMutableRawPointer?) -> XMLRecordCollector? {
        guard let ctxt = ctx?.assumingMemoryBound(to: xmlParserCtxt.self), let raw = ctxt.pointee._private else { return nil }
        return Unmanaged<XMLRecordCollector>.fromOpaque(raw).takeUnretainedValue()
    }

    private static func line(_ ctx: UnsafeMutableRawPointer?) -> Int {
        guard let ctxt = ctx?.assumingMemoryBound(to: xmlParserCtxt.self) else { return 0 }
        return Int(xmlSAX2GetLineNumber(ctxt))
    }

    /// Feeds one chunk to the parser; false once the document is finished.
    func pump() throws -> Bool {
        if done { return false }
        let n = try chunk.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return try file.read(into: base, count: raw.count)
        }
        try chunk.withUnsafeBufferPointer { bytes in
            let pointer = UnsafeRawPointer(bytes.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            if context == nil {
                // Created with the first bytes so libxml2 can detect the encoding; user data stays the context itself.
                context = xmlCreatePushParserCtxt(&handler, nil, pointer, Int32(n), path)
                guard let context else { throw TabularError.malformed(path: path, line: nil, detail: "libxml2 could not create a parser") }
                context.pointee._private = Unmanaged.passUnretained(self).toOpaque()
                _ = xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
                if n == 0 { _ = xmlParseChunk(context, nil, 0, 1); done = true }
            } else {
                guard let context else { return }
                _ = xmlParseChunk(context, pointer, Int32(n), n == 0 ? 1 : 0)
                if n == 0 { done = true }
            }
        }
        if let firstError {
            done = true
            throw TabularError.malformed(path: path, line: firstError.line, detail: "invalid XML: \(firstError.message)")
        }
        if done, let context, context.pointee.wellFormed == 0 {
            throw TabularError.malformed(path: path, line: Self.line(UnsafeMutableRawPointer(context)), detail: "invalid XML document")
        }
        return !done
    }

    private func startElement(_ name: String, line: Int) {
        depth += 1
        if let recordDepth {
            if depth > recordDepth + 1, !path_.isEmpty { leafHasChildren = true }
            if depth > recordDepth { path_.append(name); text.removeAll(keepingCapacity: true); leafHasChildren = false }
        } else if name == XMLContactReader.recordElement {
            recordDepth = depth
            recordLine = line
            fields.removeAll()
        }
    }

    private func endElement() {
        defer { depth -= 1 }
        guard let recordDepth else { return }
        if depth == recordDepth {
            if !keysOnly { records.append(RawRecord(line: recordLine, fields: fields)) }
            self.recordDepth = nil
            path_.removeAll()
            return
        }
        let key = path_.joined(separator: ".")
        if !leafHasChildren {
            if keysOnly {
                if seenKeys.insert(key).inserted { keys.append(key) }
            } else {
                fields.append((key, String(decoding: text, as: UTF8.self)))
            }
        }
        path_.removeLast()
        text.removeAll(keepingCapacity: true)
        // The parent now has had a child: it is not a leaf.
        leafHasChildren = true
    }

    private func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard recordDepth != nil, !path_.isEmpty, !keysOnly else { return }
        text.append(contentsOf: bytes)
    }
}

extension String {
    /// Without surrounding whitespace and newlines.
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
