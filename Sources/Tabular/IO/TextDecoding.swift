// Text encodings of delimited files: detection from a sample, and streams that deliver UTF-8.

/// A producer of UTF-8 bytes into a `ByteBuffer`.
protocol UTF8Source: AnyObject {
    /// Appends more bytes at the buffer's tail (compacting it first); returns false at end of input.
    func fill(_ buffer: ByteBuffer) throws -> Bool
}

/// The encodings Tabular decodes.
enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
}

/// What sniffing found: the encoding, how many BOM bytes to skip, and whether it was a guess.
struct EncodingDetection: Equatable {
    var encoding: TextEncoding
    var bomLength: Int
    var warning: String?
}

enum EncodingSniffer {
    static let sampleSize = 64 * 1024

    /// Detects the encoding of `sample` (the file's first bytes); `requested` is the option ("auto" or a name).
    static func detect(sample: [UInt8], requested: String, path: String) throws -> EncodingDetection {
        var bom: (TextEncoding, Int)?
        if sample.starts(with: [0xEF, 0xBB, 0xBF]) { bom = (.utf8, 3) }
        else if sample.starts(with: [0xFF, 0xFE]) { bom = (.utf16LE, 2) }
        else if sample.starts(with: [0xFE, 0xFF]) { bom = (.utf16BE, 2) }
        let wanted = requested.lowercased()
        if wanted != "auto" {
            // Latin-1 labels mean Windows-1252, as the WHATWG Encoding Standard maps them: files labelled
            // ISO-8859-1 are in practice written by Windows, with curly quotes and € in 0x80-0x9F.
            let aliases: [String: TextEncoding] = ["utf8": .utf8, "utf-8": .utf8, "utf-8-sig": .utf8, "utf-16le": .utf16LE, "utf-16be": .utf16BE,
                                                   "windows-1252": .windows1252, "cp1252": .windows1252, "latin1": .windows1252,
                                                   "latin-1": .windows1252, "iso-8859-1": .windows1252]
            if wanted == "utf-16" || wanted == "utf16" {
                // The byte order mark decides; without one, where the zero bytes of ASCII text sit.
                if let (encoding, length) = bom, encoding != .utf8 { return EncodingDetection(encoding: encoding, bomLength: length, warning: nil) }
                let pairs = sample.count / 2
                var evenZeros = 0, oddZeros = 0
                for i in 0 ..< min(pairs, 4096) {
                    if sample[2 * i] == 0 { evenZeros += 1 }
                    if sample[2 * i + 1] == 0 { oddZeros += 1 }
                }
                return EncodingDetection(encoding: evenZeros > oddZeros ? .utf16BE : .utf16LE, bomLength: 0, warning: nil)
            }
            guard let encoding = aliases[wanted] else {
                let hint = nearestName(to: wanted, in: aliases.keys.sorted() + ["utf-16", "auto"]).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw TabularError.badOption(path: path, option: "encoding",
                                             detail: "unknown encoding \"\(requested)\"\(hint); use auto, utf-8, utf-16 (utf-16le, utf-16be), cp1252 (windows-1252) or latin-1")
            }
            let skip = bom.map { $0.0 == encoding ? $0.1 : 0 } ?? 0
            return EncodingDetection(encoding: encoding, bomLength: skip, warning: nil)
        }
        if let (encoding, length) = bom { return EncodingDetection(encoding: encoding, bomLength: length, warning: nil) }
        if UTF8Validation.isValid(sample, allowTruncatedEnd: sample.count >= sampleSize) {
            return EncodingDetection(encoding: .utf8, bomLength: 0, warning: nil)
        }
        return EncodingDetection(encoding: .windows1252, bomLength: 0,
                                 warning: "bytes are not valid UTF-8: decoded as Windows-1252; save the file as UTF-8 to be sure")
    }
}

enum UTF8Validation {
    /// True when `bytes` is well-formed UTF-8; a sequence cut off by the end counts as valid if `allowTruncatedEnd`.
    static func isValid(_ bytes: [UInt8], allowTruncatedEnd: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { isValid($0, allowTruncatedEnd: allowTruncatedEnd) }
    }

    /// True when `p` is well-formed UTF-8; ASCII runs are checked eight bytes at a time.
    @inline(__always)
    static func isValid(_ p: UnsafeBufferPointer<UInt8>, allowTruncatedEnd: Bool = false) -> Bool {
        guard let base = p.baseAddress else { return true }
        let n = p.count
        var i = 0
        let raw = UnsafeRawPointer(base)
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            if b >= 0xC2 && b <= 0xDF { length = 2 } else if b >= 0xE0 && b <= 0xEF { length = 3 } else if b >= 0xF0 && b <= 0xF4 { length = 4 } else { return false }
            if i + length > n { return allowTruncatedEnd && (i + 1 ..< n).allSatisfy { p[$0] & 0xC0 == 0x80 } }
            let b1 = p[i + 1]
            if b1 & 0xC0 != 0x80 { return false }
            if b == 0xE0 && b1 < 0xA0 { return false }
            if b == 0xED && b1 > 0x9F { return false }
            if b == 0xF0 && b1 < 0x90 { return false }
            if b == 0xF4 && b1 > 0x8F { return false }
            for k in 2 ..< length where p[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}

/// UTF-8 straight from the file (the BOM skipped).
final class RawUTF8Source: UTF8Source {
    private let file: FileInput
    private var skip: Int
    static let chunk = 256 * 1024

    init(file: FileInput, skip: Int) {
        self.file = file
        self.skip = skip
    }

    func fill(_ buffer: ByteBuffer) throws -> Bool {
        buffer.compact(reserving: Self.chunk)
        let n = try file.read(into: buffer.base + buffer.end, count: buffer.freeSpace)
        if n == 0 { return false }
        buffer.end += n
        if skip > 0 {
            let drop = min(skip, n)
            buffer.start += drop
            skip -= drop
        }
        return true
    }
}

/// Decodes UTF-16 or Windows-1252 from the file into UTF-8.
final class TranscodingSource: UTF8Source {
    private let file: FileInput
    private let encoding: TextEncoding
    private var raw: [UInt8]
    private var carry: [UInt8] = []
    private var skip: Int
    private var pendingHighSurrogate: UInt32?
    /// Set when an unpaired surrogate was replaced by U+FFFD.
    private(set) var replacements = 0
    static let chunk = 64 * 1024

    init(file: FileInput, encoding: TextEncoding, skip: Int) {
        self.file = file
        self.encoding = encoding
        self.skip = skip
        raw = [UInt8](repeating: 0, count: Self.chunk)
    }

    func fill(_ buffer: ByteBuffer) throws -> Bool {
        var n = try raw.withUnsafeMutableBytes { p -> Int in
            guard let base = p.baseAddress else { return 0 }
            return try file.read(into: base, count: Self.chunk)
        }
        if n == 0 {
            if !carry.isEmpty || pendingHighSurrogate != nil {
                carry.removeAll()
                pendingHighSurrogate = nil
                replacements += 1
                buffer.compact(reserving: 3)
                Self.appendScalar(0xFFFD, to: buffer)
                return true
            }
            return false
        }
        var bytes = carry
        carry.removeAll()
        bytes.append(contentsOf: raw[0 ..< n])
        if skip > 0 {
            let drop = min(skip, bytes.count)
            bytes.removeFirst(drop)
            skip -= drop
        }
        n = bytes.count
        buffer.compact(reserving: n * 3 + 8)
        switch encoding {
        case .windows1252:
            for b in bytes { Self.appendScalar(b < 0x80 ? UInt32(b) : Self.cp1252High[Int(b) - 0x80], to: buffer) }
        case .utf16LE, .utf16BE:
            let little = encoding == .utf16LE
            var i = 0
            while i + 1 < n {
                let unit = little ? UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 : UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
                i += 2
                if let high = pendingHighSurrogate {
                    pendingHighSurrogate = nil
                    if unit >= 0xDC00 && unit <= 0xDFFF {
                        Self.appendScalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), to: buffer)
                        continue
                    }
                    replacements += 1
                    Self.appendScalar(0xFFFD, to: buffer)
                }
                if unit >= 0xD800 && unit <= 0xDBFF { pendingHighSurrogate = unit; continue }
                if unit >= 0xDC00 && unit <= 0xDFFF { replacements += 1; Self.appendScalar(0xFFFD, to: buffer); continue }
                Self.appendScalar(unit, to: buffer)
            }
            if i < n { carry = [bytes[i]] }
        case .utf8:
            for b in bytes { buffer.append(b) }
        }
        return true
    }

    static func appendScalar(_ scalar: UInt32, to buffer: ByteBuffer) {
        if scalar < 0x80 {
            buffer.append(UInt8(scalar))
        } else if scalar < 0x800 {
            buffer.append(UInt8(0xC0 | (scalar >> 6)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            buffer.append(UInt8(0xE0 | (scalar >> 12)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            buffer.append(UInt8(0xF0 | (scalar >> 18)))
            buffer.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Windows-1252 0x80...0x9F; the five unassigned bytes map to the C1 controls of the same value.
    static let cp1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ] + (0xA0 ... 0xFF).map { UInt32($0) }
}

/// Unicode to Windows-1252, the inverse of `TranscodingSource.cp1252High` (for writing).
enum Windows1252 {
    private static let high: [UInt32: UInt8] = Dictionary(
        TranscodingSource.cp1252High.enumerated().map { ($1, UInt8(0x80 + $0)) }, uniquingKeysWith: { a, _ in a })

    /// The byte for `scalar`, or nil when Windows-1252 has no such character.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        if scalar.value < 0x80 { return UInt8(scalar.value) }
        return high[scalar.value]
    }
}
