// BIFF8 text is UTF-16 code units (or 8-bit units of Latin-1). `String(decoding:as: UTF16.self)` reaches the
// standard library's generic transcoding path, which costs a protocol call per character; a workbook's shared
// strings go through here once each, so the units are turned into UTF-8 directly.

enum UTF16Text {
    /// The text of `units`, each unpaired surrogate read as U+FFFD (as `String(decoding:as: UTF16.self)` reads
    /// it). `scratch` is reused from call to call for the UTF-8 bytes.
    static func string(_ units: [UInt16], scratch: inout [UInt8]) -> String {
        // A unit takes at most 3 bytes (a surrogate pair takes 4 for its 2 units).
        let capacity = 3 * units.count
        if scratch.count < capacity { scratch = [UInt8](repeating: 0, count: max(capacity, 2 * scratch.count)) }
        return units.withUnsafeBufferPointer { units in
            scratch.withUnsafeMutableBufferPointer { out in
                precondition(out.count >= capacity)
                let count = units.count
                var n = 0
                var i = 0
                while i < count {
                    let unit = units[i]
                    i += 1
                    switch unit {
                    case 0 ..< 0x80:
                        out[n] = UInt8(truncatingIfNeeded: unit)
                        n += 1
                    case 0x80 ..< 0x800:
                        out[n] = 0xC0 | UInt8(truncatingIfNeeded: unit >> 6)
                        out[n + 1] = 0x80 | UInt8(truncatingIfNeeded: unit & 0x3F)
                        n += 2
                    case 0xD800 ..< 0xDC00 where i < count && units[i] & 0xFC00 == 0xDC00:
                        let scalar = 0x10000 + (UInt32(unit - 0xD800) << 10 | UInt32(units[i] - 0xDC00))
                        i += 1
                        out[n] = 0xF0 | UInt8(truncatingIfNeeded: scalar >> 18)
                        out[n + 1] = 0x80 | UInt8(truncatingIfNeeded: scalar >> 12 & 0x3F)
                        out[n + 2] = 0x80 | UInt8(truncatingIfNeeded: scalar >> 6 & 0x3F)
                        out[n + 3] = 0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F)
                        n += 4
                    case 0xD800 ..< 0xE000:
                        // A high surrogate without its low one, or a low one alone: U+FFFD.
                        out[n] = 0xEF
                        out[n + 1] = 0xBF
                        out[n + 2] = 0xBD
                        n += 3
                    default:
                        out[n] = 0xE0 | UInt8(truncatingIfNeeded: unit >> 12)
                        out[n + 1] = 0x80 | UInt8(truncatingIfNeeded: unit >> 6 & 0x3F)
                        out[n + 2] = 0x80 | UInt8(truncatingIfNeeded: unit & 0x3F)
                        n += 3
                    }
                }
                return String(decoding: UnsafeBufferPointer(rebasing: out[..<n]), as: UTF8.self)
            }
        }
    }
}
