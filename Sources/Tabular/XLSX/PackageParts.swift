// Open Packaging Conventions (ECMA-376 Part 2) as far as a reader needs them: the zip entry that holds a part,
// relationship targets resolved against their source part, and the relationships part of a part.
import ZIPFoundation

enum PackagePart {
    /// The package's own relationships part, which names the main (officeDocument) part.
    static let packageRelationships = "_rels/.rels"
    /// Where Excel puts the workbook; used when the package has no `_rels/.rels`.
    static let defaultWorkbook = "xl/workbook.xml"

    /// A part name in the form parts are compared in: OPC part names are equivalent when they match as
    /// case-insensitive ASCII, after percent-encoding is undone. Zip entry names written by some Windows tools
    /// use `\` as the separator, and a leading `/` (the part name form) is dropped.
    static func key(_ name: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for c in name.utf8 { bytes.append(c == UInt8(ascii: "\\") ? UInt8(ascii: "/") : c) }
        var decoded = percentDecoded(bytes)
        while decoded.first == UInt8(ascii: "/") { decoded.removeFirst() }
        for i in decoded.indices where decoded[i] >= 0x41 && decoded[i] <= 0x5A { decoded[i] += 0x20 }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// `%HH` escapes turned back into bytes; a `%` not followed by two hex digits stays as it is.
    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "%")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30 ... 0x39: return c - 0x30
        case 0x41 ... 0x46: return c - 0x41 + 10
        case 0x61 ... 0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// The folder of a part name with its trailing `/` (`xl/` for `xl/workbook.xml`); empty at the package root.
    static func directory(of part: String) -> String {
        guard let slash = part.lastIndex(of: "/") else { return "" }
        return String(part[...slash])
    }

    /// The relationships part that belongs to `part`: `xl/_rels/workbook.xml.rels` for `xl/workbook.xml`.
    static func relationshipsPart(of part: String) -> String {
        let folder = directory(of: part)
        return folder + "_rels/" + String(part.dropFirst(folder.count)) + ".rels"
    }

    /// The part a relationship target points at, as a part name without the leading `/`.
    /// The target is a relative reference resolved against the source part (RFC 3986, section 5.2, as OPC asks):
    /// `/xl/x.xml` starts at the package root, anything else at the source part's folder; `.` segments are dropped
    /// and `..` removes the segment before it (never climbing above the root). A fragment is not part of the name.
    static func resolve(_ target: String, from source: String) -> String {
        var reference = target.replacingOccurrences(of: "\\", with: "/")
        if let hash = reference.firstIndex(of: "#") { reference = String(reference[..<hash]) }
        let joined = reference.hasPrefix("/") ? reference : directory(of: source) + reference
        var segments: [Substring] = []
        for segment in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        return segments.joined(separator: "/")
    }
}

/// The archive's entries by part name (see `PackagePart.key`), indexed once; the first of duplicate names wins,
/// as ZIPFoundation's own lookup by path does.
struct PackageIndex {
    private var entries: [String: Entry] = [:]

    init(_ archive: Archive) {
        for entry in archive where entry.type == .file {
            let name = PackagePart.key(entry.path)
            if entries[name] == nil { entries[name] = entry }
        }
    }

    subscript(part: String) -> Entry? { entries[PackagePart.key(part)] }
}
