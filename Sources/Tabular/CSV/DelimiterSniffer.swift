// Picks the delimiter that splits the first lines into the same number of fields.

enum DelimiterSniffer {
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    /// Chooses among `,` `;` tab `|` from up to 20 lines of `sample` (quotes respected); `,` when nothing fits.
    /// Comment lines and the first `skipLines` lines (title rows above the header) do not count.
    static func sniff(_ sample: UnsafeBufferPointer<UInt8>, quote: UInt8? = 0x22, comment: UInt8? = nil, skipLines: Int = 0) -> UInt8 {
        var counts = [[Int]](repeating: [], count: candidates.count)
        var current = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var lines = 0
        var lineHasContent = false
        var skipping = skipLines
        var inComment = false
        for b in sample {
            if inComment {
                if b == 0x0A || b == 0x0D { inComment = false }
                continue
            }
            if !lineHasContent, let comment, b == comment { inComment = true; continue }
            if b == quote { inQuotes.toggle(); lineHasContent = true; continue }
            if inQuotes { continue }
            if b == 0x0A || b == 0x0D {
                if lineHasContent && skipping > 0 {
                    skipping -= 1
                } else if lineHasContent {
                    for k in candidates.indices { counts[k].append(current[k]) }
                    lines += 1
                    if lines == 20 { break }
                }
                current = [Int](repeating: 0, count: candidates.count)
                lineHasContent = false
                continue
            }
            lineHasContent = true
            if let k = candidates.firstIndex(of: b) { current[k] += 1 }
        }
        if lineHasContent && lines < 20 && skipping == 0 { for k in candidates.indices { counts[k].append(current[k]) } }
        var best: (score: Int, width: Int, index: Int)?
        for k in candidates.indices {
            guard let first = counts[k].first, first > 0 else { continue }
            let consistent = counts[k].filter { $0 == first }.count
            if best == nil || consistent > best?.score ?? 0 || (consistent == best?.score && first > best?.width ?? 0) {
                best = (consistent, first, k)
            }
        }
        return best.map { candidates[$0.index] } ?? UInt8(ascii: ",")
    }
}
