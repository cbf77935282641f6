// BIFF records ([MS-XLS] 2.1.4): a 2-byte type, a 2-byte length and the body, read in order from a workbook
// stream through a window of it. Bodies longer than a record are carried on by CONTINUE records.

/// Record types the reader acts on.
enum BIFFType {
    static let formula: UInt16 = 0x0006
    static let eof: UInt16 = 0x000A
    static let dateMode: UInt16 = 0x0022
    static let filePass: UInt16 = 0x002F
    static let `continue`: UInt16 = 0x003C
    static let codePage: UInt16 = 0x0042
    static let boundSheet: UInt16 = 0x0085
    static let mulRK: UInt16 = 0x00BD
    static let xf: UInt16 = 0x00E0
    static let rString: UInt16 = 0x00D6
    static let sst: UInt16 = 0x00FC
    static let labelSST: UInt16 = 0x00FD
    static let number: UInt16 = 0x0203
    static let label: UInt16 = 0x0204
    static let boolErr: UInt16 = 0x0205
    static let string: UInt16 = 0x0207
    static let rk: UInt16 = 0x027E
    static let format: UInt16 = 0x041E
    /// BOF of BIFF5 to BIFF8; BIFF2, 3 and 4 used 0x0009, 0x0209 and 0x0409.
    static let bof: UInt16 = 0x0809
    static let olderBOFs: Set<UInt16> = [0x0009, 0x0209, 0x0409]
}

/// The records of one stream, one at a time: `next()` makes the following record current (`type`, `length`,
/// and its body through the accessors), valid until the next call.
final class BIFFRecords {
    let stream: CompoundStream
    private(set) var type: UInt16 = 0
    private(set) var length = 0
    /// Stream offset of the current record's header.
    private(set) var offset = 0
    private var nextOffset = 0
    /// Bytes of the stream from `windowStart`: room for a window and the longest record (64 KiB and its header).
    /// Allocated once, never moved: the accessors read it without the checks a mutable array would need, and
    /// check their offsets against its size themselves.
    private let window: UnsafeMutableRawBufferPointer
    private var windowStart = 0
    private var windowCount = 0
    private var bodyStart = 0
    private static let windowSize = 1 << 16

    init(stream: CompoundStream, at offset: Int = 0) {
        self.stream = stream
        nextOffset = offset
        window = .allocate(byteCount: Self.windowSize + 65_536 + 4, alignment: 8)
        window.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { window.deallocate() }

    private var path: String { stream.file.path }

    /// Makes the bytes `offset ..< offset + count` of the stream available in the window.
    private func load(_ offset: Int, _ count: Int) throws {
        if offset >= windowStart, offset + count <= windowStart + windowCount { return }
        let amount = min(max(count, Self.windowSize), stream.size - offset)
        precondition(amount <= window.count, "a record longer than the window")
        guard let base = window.baseAddress else { return } // never nil: the window is allocated, not empty
        try stream.read(at: offset, count: amount, into: base)
        windowStart = offset
        windowCount = amount
    }

    /// Moves to the record at `offset` (the next `next()` reads it).
    func seek(to offset: Int) { nextOffset = offset }

    /// Reads the next record; false at the end of the stream (fewer than 4 bytes left).
    func next() throws -> Bool {
        guard nextOffset <= stream.size - 4 else { return false }
        try load(nextOffset, 4)
        let at = nextOffset - windowStart
        let type = UInt16(truncatingIfNeeded: byte(at) | byte(at + 1) << 8)
        let length = byte(at + 2) | byte(at + 3) << 8
        guard nextOffset + 4 + length <= stream.size else {
            throw TabularError.malformed(path: path, line: nil, detail: "record 0x\(String(type, radix: 16, uppercase: true)) at byte \(nextOffset) of the \(stream.name) stream runs past its end (\(stream.size) bytes): the file is truncated or damaged; open it in Excel and save it again")
        }
        try load(nextOffset, 4 + length)
        self.type = type
        self.length = length
        offset = nextOffset
        bodyStart = nextOffset - windowStart + 4
        nextOffset += 4 + length
        return true
    }

    /// The type of the record after the current one, without reading it; nil at the end of the stream.
    func peekType() throws -> UInt16? {
        guard nextOffset <= stream.size - 4 else { return nil }
        if nextOffset + 2 <= windowStart + windowCount, nextOffset >= windowStart {
            let at = nextOffset - windowStart
            return UInt16(truncatingIfNeeded: byte(at) | byte(at + 1) << 8)
        }
        var bytes: [UInt8] = [0, 0]
        try bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            try stream.read(at: nextOffset, count: 2, into: base)
        }
        return UInt16(bytes[0]) | UInt16(bytes[1]) << 8
    }

    /// The little-endian `T` at window offset `at`; a read outside the window is a bug, stopped here as an array
    /// index would stop it.
    @inline(__always) private func load<T: FixedWidthInteger>(_ at: Int, as _: T.Type) -> T {
        precondition(at >= 0 && at <= window.count - MemoryLayout<T>.size, "read outside the record window")
        return T(littleEndian: window.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    @inline(__always) private func byte(_ at: Int) -> Int { Int(load(at, as: UInt8.self)) }

    // Body fields; callers check `length` first.
    @inline(__always) func u8(_ i: Int) -> Int { Int(load(bodyStart + i, as: UInt8.self)) }
    @inline(__always) func u16(_ i: Int) -> Int { Int(load(bodyStart + i, as: UInt16.self)) }
    @inline(__always) func u32(_ i: Int) -> UInt32 { load(bodyStart + i, as: UInt32.self) }
    @inline(__always) func f64(_ i: Int) -> Double { Double(bitPattern: load(bodyStart + i, as: UInt64.self)) }

    /// Appends `count` characters of the body from `i`: bytes (`wide` false) or UTF-16LE units.
    func appendCharacters(at i: Int, count: Int, wide: Bool, to units: inout [UInt16]) {
        let start = bodyStart + i
        let size = wide ? 2 * count : count
        precondition(count >= 0 && i >= 0 && start + size <= window.count, "read outside the record window")
        let bytes = UnsafeRawBufferPointer(rebasing: window[start ..< start + size])
        if wide {
            units.append(contentsOf: (0 ..< count).lazy.map { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) })
        } else {
            units.append(contentsOf: bytes.lazy.map { UInt16($0) })
        }
    }

    /// Body bytes `range` (within `length`).
    func bytes(_ range: Range<Int>) -> [UInt8] {
        precondition(range.lowerBound >= 0 && bodyStart + range.upperBound <= window.count, "read outside the record window")
        return Array(UnsafeRawBufferPointer(rebasing: window[bodyStart + range.lowerBound ..< bodyStart + range.upperBound]))
    }

    /// A record too short for its fields: the file is damaged.
    func tooShort(_ name: String, needs: Int) -> TabularError {
        .malformed(path: path, line: nil, detail: "the \(name) record at byte \(offset) of the \(stream.name) stream has \(length) bytes, fewer than the \(needs) it needs: the file is damaged; open it in Excel and save it again")
    }
}

/// The body of the current record and of the CONTINUE records after it, read as one sequence of bytes; text
/// characters follow [MS-XLS] 2.5.293: where a string's characters cross into a CONTINUE record, that record
/// starts with a new option byte saying whether they go on as 8-bit or as UTF-16LE.
struct ContinuedBody {
    let records: BIFFRecords
    private(set) var position: Int

    init(_ records: BIFFRecords, from position: Int) {
        self.records = records
        self.position = position
    }

    /// Moves into the next CONTINUE record; false when the next record is something else.
    private mutating func advance() throws -> Bool {
        guard try records.peekType() == BIFFType.continue, try records.next() else { return false }
        position = 0
        return true
    }

    /// The next byte, or nil when the record and its continuations are used up.
    mutating func byte() throws -> Int? {
        while position >= records.length {
            guard try advance() else { return nil }
        }
        position += 1
        return records.u8(position - 1)
    }

    mutating func u16() throws -> Int? {
        guard let low = try byte(), let high = try byte() else { return nil }
        return low | high << 8
    }

    mutating func u32() throws -> UInt32? {
        guard let low = try u16(), let high = try u16() else { return nil }
        return UInt32(low) | UInt32(high) << 16
    }

    /// Passes over `count` bytes (rich-text runs, phonetic data); false when they run out first.
    mutating func skip(_ count: Int) throws -> Bool {
        var left = count
        while left > 0 {
            if position >= records.length {
                guard try advance() else { return false }
                continue
            }
            let n = min(left, records.length - position)
            position += n
            left -= n
        }
        return true
    }

    /// `count` characters, 8-bit (`wide` false: Latin-1, or code page bytes in BIFF5) or UTF-16LE; nil when
    /// the data ends first. In 8-bit text each unit is one byte.
    mutating func characters(_ count: Int, wide startWide: Bool, into units: inout [UInt16]) throws -> Bool {
        units.removeAll(keepingCapacity: true)
        var wide = startWide
        while units.count < count {
            if position >= records.length || (wide && position + 1 >= records.length) {
                guard try advance() else { return false }
                guard records.length > 0 else { continue }
                wide = records.u8(0) & 0x01 != 0
                position = 1
                continue
            }
            let want = count - units.count
            let n = min(want, (records.length - position) / (wide ? 2 : 1))
            records.appendCharacters(at: position, count: n, wide: wide, to: &units)
            position += wide ? 2 * n : n
        }
        return true
    }

    /// An XLUnicodeRichExtendedString ([MS-XLS] 2.5.293) or XLUnicodeString: a 2-byte character count (1 byte
    /// when `shortCount`), the option byte, the run and phonetic sizes when flagged, the characters, then the
    /// runs and phonetic data passed over. Nil when the data ends first.
    mutating func unicodeString(shortCount: Bool = false, into units: inout [UInt16]) throws -> Bool {
        guard let count = shortCount ? try byte() : try u16(), let options = try byte() else { return false }
        var runs = 0
        var phonetic: UInt32 = 0
        if options & 0x08 != 0 {
            guard let n = try u16() else { return false }
            runs = n
        }
        if options & 0x04 != 0 {
            guard let n = try u32() else { return false }
            phonetic = n
        }
        guard try characters(count, wide: options & 0x01 != 0, into: &units) else { return false }
        // The phonetic size is a signed 32-bit count in the file; a negative one is damage, read as none.
        let phoneticBytes = phonetic <= UInt32(Int32.max) ? Int(phonetic) : 0
        return try skip(4 * runs) && skip(phoneticBytes)
    }
}
