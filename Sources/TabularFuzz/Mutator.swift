// Seeded mutations in the style of libFuzzer's: bit flips, interesting bytes and tokens, deletions,
// duplications, splices between corpus entries, and long runs that reach the size ceilings.

/// SplitMix64: small, fast and reproducible from one seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutates inputs; `tokens` are format words worth inserting whole.
public struct Mutator {
    public var generator: SeededGenerator
    public let tokens: [[UInt8]]
    /// Inputs never grow past this many bytes.
    public var maxBytes = 64 * 1024

    public init(seed: UInt64, format: FuzzFormat) {
        generator = SeededGenerator(seed: seed)
        tokens = Self.tokens(for: format).map { Array($0.utf8) } + Self.binaryTokens(for: format)
    }

    /// Byte sequences that are not UTF-8 text: BIFF record headers and compound-file sector markers.
    static func binaryTokens(for format: FuzzFormat) -> [[UInt8]] {
        guard format == .xls || format == .xlsBIFF else { return [] }
        return [
            [0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x10, 0x00], [0x0A, 0x00, 0x00, 0x00], [0x3C, 0x00, 0x04, 0x00, 0x01],
            [0xFC, 0x00, 0x10, 0x00, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x7F], [0xFD, 0x00, 0x0A, 0x00], [0x7E, 0x02, 0x0A, 0x00],
            [0xBD, 0x00, 0x12, 0x00], [0x06, 0x00, 0x16, 0x00], [0x07, 0x02, 0x05, 0x00, 0x02, 0x00, 0x01], [0x04, 0x02, 0x0B, 0x00],
            [0x05, 0x02, 0x08, 0x00], [0x03, 0x02, 0x0E, 0x00], [0x85, 0x00, 0x0C, 0x00], [0xE0, 0x00, 0x14, 0x00], [0x1E, 0x04],
            [0x2F, 0x00], [0x22, 0x00, 0x02, 0x00, 0x01, 0x00], [0x42, 0x00, 0x02, 0x00, 0xE4, 0x04],
            [0xFF, 0xFF, 0xFF, 0xFF], [0xFE, 0xFF, 0xFF, 0xFF], [0xFD, 0xFF, 0xFF, 0xFF], [0xFC, 0xFF, 0xFF, 0xFF],
            [0x00, 0x00, 0x00, 0x80], [0xFF, 0xFF, 0xFF, 0x7F], [0xFF, 0xFF], [0x00, 0x10, 0x00, 0x00],
        ]
    }

    static func tokens(for format: FuzzFormat) -> [String] {
        let common = ["\u{0}", "\r\n", "\n", "\r", "\u{FEFF}", "\u{FFFD}", "é", "\u{1F600}", "\"", "\"\"", ",", ";", "\t", "0", "-1", "99999999999999999999", "1e308", "NaN"]
        switch format {
        case .csv: return common + ["\",\"", "\"\n\"", "sep=;\n", "\u{FF}\u{FE}"]
        case .json: return common + ["{", "}", "[", "]", ":", "null", "true", "\"a\":", "\\u0000", "\\ud800", "\\", "{\"contacts\":["]
        case .xml: return common + ["<contact>", "</contact>", "<a>", "</a>", "<![CDATA[", "]]>", "&amp;", "&#x0;", "&#1114112;", "<!DOCTYPE x [<!ENTITY e \"x\">]>", "&e;", "<?xml version=\"1.0\"?>", "xmlns:w=\"u\"", "<w:contact>"]
        case .xlsx: return common + ["PK\u{3}\u{4}", "PK\u{1}\u{2}", "PK\u{5}\u{6}", "\u{FF}\u{FF}\u{FF}\u{FF}"]
        case .xls, .xlsBIFF: return common + ["Workbook", "W\u{0}o\u{0}r\u{0}k\u{0}b\u{0}o\u{0}o\u{0}k\u{0}", "B\u{0}o\u{0}o\u{0}k\u{0}"]
        case .xlsxParts: return common + ["<row r=\"2\">", "</row>", "<c r=\"XFD2\" t=\"s\">", "<c r=\"AAAAAAA1\">", "<c t=\"inlineStr\"><is><t>", "</t></is></c>", "<v>", "</v>", "<c r=\"A1\" t=\"s\"><v>99</v></c>", "t=\"b\"", "t=\"e\"", "s=\"99999\"", "<row r=\"1048577\">", "&#x41;", "<si><t>", "</t></si>", "<!--", "-->", "<![CDATA["]
        }
    }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(generator.next() % UInt64(n)) }

    /// One to four mutations of `input`; `other` feeds splices.
    public mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0 ... below(4) { apply(&bytes, other: other) }
        if bytes.count > maxBytes { bytes.removeLast(bytes.count - maxBytes) }
        return bytes
    }

    private mutating func apply(_ bytes: inout [UInt8], other: [UInt8]) {
        let at = below(bytes.count + 1)
        switch below(10) {
        case 0 where !bytes.isEmpty:
            bytes[below(bytes.count)] ^= UInt8(1 << below(8))
        case 1 where !bytes.isEmpty:
            bytes[below(bytes.count)] = [0x00, 0x0A, 0x0D, 0x22, 0x2C, 0x3C, 0x3E, 0x26, 0x7F, 0x80, 0xC0, 0xFF][below(12)]
        case 2:
            bytes.insert(contentsOf: tokens[below(tokens.count)], at: at)
        case 3 where !bytes.isEmpty:
            let n = 1 + below(min(64, bytes.count - at + 1))
            bytes.removeSubrange(at ..< min(bytes.count, at + n))
        case 4 where !bytes.isEmpty:
            let start = below(bytes.count)
            let chunk = Array(bytes[start ..< min(bytes.count, start + 1 + below(256))])
            bytes.insert(contentsOf: chunk, at: at)
        case 5 where !other.isEmpty:
            let start = below(other.count)
            bytes.insert(contentsOf: other[start ..< min(other.count, start + 1 + below(512))], at: at)
        case 6:
            // A long run: reaches field ceilings and buffer boundaries.
            let byte = [UInt8(ascii: "x"), 0x22, 0x3C, 0x5B, 0x7B, 0x20][below(6)]
            bytes.insert(contentsOf: repeatElement(byte, count: 1000 + below(9000)), at: at)
        case 7 where bytes.count > 1:
            bytes.removeLast(below(bytes.count))
        case 8:
            let token = tokens[below(tokens.count)]
            bytes.insert(contentsOf: Array(repeatElement(token, count: 2 + below(200)).joined()), at: at)
        default:
            if !bytes.isEmpty { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: generator.next()) }
        }
    }
}
