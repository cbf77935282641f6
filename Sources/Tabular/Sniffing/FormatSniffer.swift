// Format from content first (magic bytes, first non-blank character), extension second.

enum FormatSniffer {
    /// The format of `path`, judged from its first bytes, then its extension; throws for encrypted OLE2 packages
    /// and for `.xls` files that are not compound files.
    static func sniff(path: String, head: [UInt8]) throws -> TableFormat {
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            // A compound file: an encrypted OOXML package (its directory names EncryptionInfo), else a legacy
            // workbook, whose reader checks the whole directory again.
            if containsUTF16(head, "EncryptionInfo") || containsUTF16(head, "EncryptedPackage") {
                throw TabularError.legacyWorkbook(path: path, encrypted: true)
            }
            return .xls
        }
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        let utf16 = head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF])
        if utf16, firstUTF16Character(head) == 0x3C { return .xml }
        if !utf16 {
            while i < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[i]) { i += 1 }
            if i < head.count {
                switch head[i] {
                case UInt8(ascii: "{"), UInt8(ascii: "["): return .json
                case UInt8(ascii: "<"): return .xml
                default: break
                }
            }
        }
        switch fileExtension(path) {
        case "xlsx", "xlsm": return .xlsx
        case "xls": throw TabularError.legacyWorkbook(path: path, encrypted: false)
        case "json", "jsonl", "ndjson": return .json
        case "xml": return .xml
        default: break
        }
        if head.isEmpty || utf16 || !head.prefix(4096).contains(0) || looksLikeUTF16Text(head) { return .csv }
        throw TabularError.unknownFormat(path: path)
    }

    /// UTF-16 text without a byte order mark: zero bytes (the high halves of Latin characters) on
    /// one side of every pair only, and on at least a quarter of the pairs.
    static func looksLikeUTF16Text(_ head: [UInt8]) -> Bool {
        let pairs = min(head.count, 4096) / 2
        guard pairs >= 2 else { return false }
        var even = 0, odd = 0
        for i in 0 ..< pairs {
            if head[2 * i] == 0 { even += 1 }
            if head[2 * i + 1] == 0 { odd += 1 }
        }
        return (even == 0) != (odd == 0) && max(even, odd) * 4 >= pairs
    }

    /// The first non-blank UTF-16 code unit after the BOM.
    private static func firstUTF16Character(_ head: [UInt8]) -> UInt16? {
        let little = head.starts(with: [0xFF, 0xFE])
        var i = 2
        while i + 1 < head.count {
            let unit = little ? UInt16(head[i]) | UInt16(head[i + 1]) << 8 : UInt16(head[i]) << 8 | UInt16(head[i + 1])
            if ![0x20, 0x09, 0x0A, 0x0D].contains(unit) { return unit }
            i += 2
        }
        return nil
    }

    static func fileExtension(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "" }
        return path[path.index(after: dot)...].lowercased()
    }

    private static func containsUTF16(_ bytes: [UInt8], _ word: String) -> Bool {
        let pattern: [UInt8] = word.utf8.flatMap { byte -> [UInt8] in [byte, 0] }
        guard bytes.count >= pattern.count else { return false }
        for start in 0 ... bytes.count - pattern.count where bytes[start] == pattern[0] {
            if bytes[start ..< start + pattern.count].elementsEqual(pattern) { return true }
        }
        return false
    }
}
