// 8-bit text of BIFF5/BIFF7 workbooks (Excel 5.0/95), in the code page named by the CODEPAGE record.
import Foundation

/// A Windows or DOS code page, decoded with Foundation's converters.
struct CodePage: Equatable {
    let number: Int
    private let encoding: String.Encoding
    /// True when every byte is one character (so an undecodable byte can be replaced on its own).
    private let singleByte: Bool

    /// CODEPAGE values ([MS-XLS] 2.4.52) and their Core Foundation encodings (0x8000_0000 | kCFStringEncoding...).
    private static let table: [Int: (raw: UInt, singleByte: Bool)] = [
        367: (0x0500, true), // US-ASCII: read as its superset 1252
        437: (0x0400, true), 737: (0x0405, true), 775: (0x0406, true), 850: (0x0410, true), 852: (0x0412, true),
        855: (0x0413, true), 857: (0x0414, true), 860: (0x0415, true), 861: (0x0416, true), 862: (0x0417, true),
        863: (0x0418, true), 865: (0x041A, true), 866: (0x041B, true), 874: (0x041D, true),
        932: (0x0420, false), 936: (0x0421, false), 949: (0x0422, false), 950: (0x0423, false),
        1250: (0x0501, true), 1251: (0x0502, true), 1252: (0x0500, true), 1253: (0x0503, true), 1254: (0x0504, true),
        1255: (0x0505, true), 1256: (0x0506, true), 1257: (0x0507, true), 1258: (0x0508, true),
        10000: (0x0000, true), 32768: (0x0000, true), // Mac Roman
        32769: (0x0500, true), // "ANSI Latin I" of Excel 2.x-4.0 workbooks: 1252
    ]

    /// Code pages Roster can read, for messages.
    static var supported: [Int] { table.keys.sorted() }

    /// The code page numbered `number`, or nil when Roster has no converter for it.
    init?(_ number: Int) {
        guard let entry = Self.table[number] else { return nil }
        self.number = number
        encoding = String.Encoding(rawValue: 0x8000_0000 | entry.raw)
        singleByte = entry.singleByte
    }

    /// The code page of a BIFF5 workbook without a CODEPAGE record.
    static let windows1252 = CodePage(number: 1252, encoding: String.Encoding(rawValue: 0x8000_0500), singleByte: true)

    private init(number: Int, encoding: String.Encoding, singleByte: Bool) {
        self.number = number
        self.encoding = encoding
        self.singleByte = singleByte
    }

    /// The name SourceInfo.encoding shows.
    var name: String {
        switch number {
        case 1250 ... 1258: return "windows-\(number)"
        case 10000, 32768: return "macintosh"
        case 367: return "us-ascii"
        case 32769: return "windows-1252"
        default: return "cp\(number)"
        }
    }

    /// `bytes` as text; a byte the code page does not define becomes U+FFFD (and `lossy` is set).
    func decode<C: Collection>(_ bytes: C, lossy: inout Bool) -> String where C.Element == UInt8 {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(bytes: bytes, encoding: encoding) { return text }
        lossy = true
        guard singleByte else {
            return String(bytes.map { $0 < 0x80 ? Character(UnicodeScalar($0)) : "\u{FFFD}" })
        }
        return bytes.map { String(bytes: [$0], encoding: encoding) ?? "\u{FFFD}" }.joined()
    }
}
