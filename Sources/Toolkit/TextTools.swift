// Unicode-aware text helpers for contact fields (case, trimming, normalization, ASCII folding).
import Foundation

/// Case mapping, whitespace cleanup, NFC and ASCII folding for names and other contact text.
public enum TextTools: Sendable {
    /// Unicode upper case (full mappings: "straße" -> "STRASSE"). From Lua, ASCII and Latin-1 text is
    /// mapped in C before it gets here (`roster_case_map`).
    public static func upper(_ s: String) -> String { s.uppercased() }

    /// Unicode lower case.
    public static func lower(_ s: String) -> String { s.lowercased() }

    /// Title case for names: each word's first letter in title case, the rest lower; words start after
    /// whitespace, a hyphen, an apostrophe (' or ’) or a period. Mc/Mac are not guessed.
    public static func title(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for ch in s {
            if ch.isWhitespace || wordBreaks.contains(ch) {
                out.append(ch)
                atWordStart = true
            } else if atWordStart && ch.isLetter {
                out += titlecased(ch)
                atWordStart = false
            } else if atWordStart && !ch.isNumber {
                out.append(ch)  // leading punctuation such as "(" keeps the word start open
            } else {
                out += String(ch).lowercased()
                atWordStart = false
            }
        }
        return out
    }

    /// Trims Unicode whitespace at both ends incl. NBSP (U+00A0), U+200B, U+FEFF, and collapses inner runs of
    /// whitespace to one space; zero-width characters (U+200B, U+2060, U+FEFF) are removed everywhere.
    public static func trim(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in s.unicodeScalars {
            if zeroWidth.contains(scalar.value) { continue }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        return String(out)
    }

    /// Canonical composition (NFC).
    public static func nfc(_ s: String) -> String { s.precomposedStringWithCanonicalMapping }

    /// Accents folded to ASCII (canonical decomposition minus combining marks, plus a table for ß, æ, ø, ł, þ,
    /// curly quotes, dashes, NBSP, "…" and the like); nil + a reason naming the first character with no ASCII form.
    public static func ascii(_ s: String) -> (text: String?, reason: String?) {
        var out = ""
        for ch in s {
            if ch.isASCII {
                out.append(ch)
            } else if let folded = fold(ch) {
                out += folded
            } else {
                return (nil, "\(describe(ch)) has no ASCII form; keep the original text or transliterate it by hand")
            }
        }
        return (out, nil)
    }

    // MARK: - Internal helpers (shared with EmailAddress, PersonName and DateParsing)

    /// Invisible characters that are not Unicode White_Space but show up in pasted text.
    static let zeroWidth: Set<UInt32> = [0x200B, 0x2060, 0xFEFF]

    /// Whitespace or a zero-width character.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || zeroWidth.contains(scalar.value)
    }

    /// Removes whitespace and zero-width characters at both ends only; the inside is kept as written.
    static func trimEnds(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isBlank($0) }),
              let end = scalars.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(scalars[start...end])
    }

    /// "'李' (U+674E)" for reasons; invisible characters are shown by code point only.
    static func describe(_ ch: Character) -> String {
        let codes = ch.unicodeScalars.map { "U+" + hex($0.value) }.joined(separator: " ")
        let visible = ch.unicodeScalars.contains { !isBlank($0) && $0.properties.generalCategory != .control }
        return visible ? "'\(ch)' (\(codes))" : codes
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static let wordBreaks: Set<Character> = ["-", "\u{2010}", "'", "\u{2019}", "."]

    /// The first scalar's Unicode title-case mapping ("ǆ" -> "ǅ"), combining marks kept.
    private static func titlecased(_ ch: Character) -> String {
        let scalars = ch.unicodeScalars
        guard let first = scalars.first else { return "" }
        return first.properties.titlecaseMapping + String(String.UnicodeScalarView(scalars.dropFirst()))
    }

    private static func fold(_ ch: Character) -> String? {
        var out = ""
        for scalar in String(ch).decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.isASCII {
                out.unicodeScalars.append(scalar)
            } else if let mapped = asciiTable[scalar] {
                out += mapped
            } else if !isMark(scalar) {
                return nil
            }
        }
        return out
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// Letters and punctuation that have no canonical decomposition to ASCII.
    private static let asciiTable: [Unicode.Scalar: String] = [
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
        "ı": "i", "ŋ": "ng", "Ŋ": "NG", "ħ": "h", "Ħ": "H",
        "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201B}": "'", "\u{2032}": "'",
        "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"", "\u{201F}": "\"", "«": "\"", "»": "\"",
        "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-", "\u{2013}": "-", "\u{2014}": "-", "\u{2212}": "-",
        "\u{00A0}": " ", "\u{2009}": " ", "\u{202F}": " ", "\u{2026}": "...",
        "\u{200B}": "", "\u{2060}": "", "\u{FEFF}": "",
    ]
}
