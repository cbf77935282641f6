import Foundation

// Tiny writers of BIFF records and compound files ([MS-XLS], [MS-CFB]) for the XLS reader's tests: workbooks
// laid out by hand, and damaged on purpose.

/// Little-endian bytes.
enum LE {
    static func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func word(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
    static func u32(_ v: Int) -> [UInt8] { word(UInt32(truncatingIfNeeded: v)) }
    static func f64(_ v: Double) -> [UInt8] { (0 ..< 8).map { UInt8(v.bitPattern >> (8 * UInt64($0)) & 0xFF) } }
}

/// BIFF records, each as its 4-byte header and body.
enum BIFF {
    static func record(_ type: Int, _ body: [UInt8]) -> [UInt8] { LE.u16(type) + LE.u16(body.count) + body }

    static func bof(_ substream: Int, biff8: Bool = true) -> [UInt8] {
        biff8 ? record(0x0809, LE.u16(0x0600) + LE.u16(substream) + LE.u16(0x0DBB) + LE.u16(0x07CC) + LE.u32(0) + LE.u32(6))
            : record(0x0809, LE.u16(0x0500) + LE.u16(substream) + LE.u16(0x0DBB) + LE.u16(0x07CC))
    }

    static let eof = record(0x000A, [])

    /// An XLUnicodeString: 8-bit when every character fits a byte, else UTF-16LE (`lengthBytes` 1 or 2).
    static func text(_ string: String, lengthBytes: Int = 2) -> [UInt8] {
        let units = Array(string.utf16)
        let count = lengthBytes == 1 ? [UInt8(units.count)] : LE.u16(units.count)
        if units.allSatisfy({ $0 < 0x100 }) { return count + [0] + units.map { UInt8($0) } }
        return count + [1] + units.flatMap { LE.u16(Int($0)) }
    }

    static func codePage(_ n: Int) -> [UInt8] { record(0x0042, LE.u16(n)) }
    static func dateMode1904() -> [UInt8] { record(0x0022, LE.u16(1)) }
    static func filePass() -> [UInt8] { record(0x002F, LE.u16(0) + LE.u16(0x1234) + LE.u16(0x5678)) }
    static func format(_ id: Int, _ code: String, biff8: Bool = true) -> [UInt8] {
        biff8 ? record(0x041E, LE.u16(id) + text(code)) : record(0x041E, LE.u16(id) + [UInt8(code.utf8.count)] + Array(code.utf8))
    }

    /// A cell XF using number format `format`.
    static func xf(_ format: Int) -> [UInt8] { record(0x00E0, LE.u16(0) + LE.u16(format) + [UInt8](repeating: 0, count: 16)) }

    /// Twenty-one XFs, the last (index 20) showing format `format`, the others General.
    static func xfs(dateFormat format: Int) -> [[UInt8]] { (0 ..< 20).map { _ in xf(0) } + [xf(format)] }

    static func cell(_ type: Int, _ row: Int, _ column: Int, _ xf: Int, _ rest: [UInt8]) -> [UInt8] {
        record(type, LE.u16(row) + LE.u16(column) + LE.u16(xf) + rest)
    }

    static func number(_ row: Int, _ column: Int, _ value: Double, xf: Int = 0) -> [UInt8] { cell(0x0203, row, column, xf, LE.f64(value)) }
    static func rk(_ row: Int, _ column: Int, _ raw: UInt32, xf: Int = 0) -> [UInt8] { cell(0x027E, row, column, xf, LE.word(raw)) }
    /// The RK form of a 30-bit integer (add 1 for "divided by 100").
    static func rkInteger(_ n: Int32) -> UInt32 { UInt32(bitPattern: n << 2) | 0x02 }
    static func mulRK(_ row: Int, _ first: Int, _ raws: [UInt32], xf: Int = 0) -> [UInt8] {
        record(0x00BD, LE.u16(row) + LE.u16(first) + raws.flatMap { LE.u16(xf) + LE.word($0) } + LE.u16(first + raws.count - 1))
    }
    static func labelSST(_ row: Int, _ column: Int, _ index: Int, xf: Int = 0) -> [UInt8] { cell(0x00FD, row, column, xf, LE.u32(index)) }
    static func label(_ row: Int, _ column: Int, _ string: String) -> [UInt8] { cell(0x0204, row, column, 0, text(string)) }
    /// A BIFF5 LABEL: a 2-byte count and code-page bytes.
    static func label5(_ row: Int, _ column: Int, _ bytes: [UInt8]) -> [UInt8] { cell(0x0204, row, column, 0, LE.u16(bytes.count) + bytes) }
    static func boolErr(_ row: Int, _ column: Int, _ value: Int, error: Bool = false) -> [UInt8] {
        cell(0x0205, row, column, 0, [UInt8(value), error ? 1 : 0])
    }
    static func blank(_ row: Int, _ column: Int) -> [UInt8] { cell(0x0201, row, column, 0, []) }

    /// A FORMULA with a cached result (8 bytes), no options and an empty token array.
    static func formula(_ row: Int, _ column: Int, result: [UInt8], xf: Int = 0) -> [UInt8] {
        cell(0x0006, row, column, xf, result + LE.u16(0) + LE.u32(0) + LE.u16(0))
    }
    static func numberResult(_ v: Double) -> [UInt8] { LE.f64(v) }
    static let stringResult: [UInt8] = [0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
    static func boolResult(_ v: Bool) -> [UInt8] { [1, 0, v ? 1 : 0, 0, 0, 0, 0xFF, 0xFF] }
    static func errorResult(_ code: UInt8) -> [UInt8] { [2, 0, code, 0, 0, 0, 0xFF, 0xFF] }
    static let emptyResult: [UInt8] = [3, 0, 0, 0, 0, 0, 0xFF, 0xFF]
    static func string(_ value: String) -> [UInt8] { record(0x0207, text(value)) }

    /// An SST record holding `strings` and declaring `declared` of them (default: their number), cut into
    /// CONTINUE records of at most `maxBody` bytes the way Excel cuts them: a string's header is never split,
    /// and characters carried into a CONTINUE record follow a new option byte.
    static func sst(_ strings: [String], declared: Int? = nil, maxBody: Int = 8224) -> [[UInt8]] {
        var records: [[UInt8]] = []
        var body: [UInt8] = LE.u32(strings.count) + LE.u32(declared ?? strings.count)
        func flush() {
            records.append(record(records.isEmpty ? 0x00FC : 0x003C, body))
            body = []
        }
        for string in strings {
            let units = Array(string.utf16)
            let wide = !units.allSatisfy { $0 < 0x100 }
            if body.count + 4 > maxBody { flush() }
            body += LE.u16(units.count) + [wide ? 1 : 0]
            var k = 0
            while k < units.count {
                let size = wide ? 2 : 1
                if body.count + size > maxBody {
                    flush()
                    body = [wide ? 1 : 0]
                }
                body += wide ? LE.u16(Int(units[k])) : [UInt8(units[k])]
                k += 1
            }
        }
        flush()
        return records
    }

    /// A workbook stream: globals (BOF, `globals`, one BOUNDSHEET per sheet, `trailer`, EOF), then each sheet's
    /// substream (BOF, its records, EOF). `kind` is the BOUNDSHEET sheet type (0 worksheet, 1 macro, 2 chart).
    static func workbook(globals: [[UInt8]] = [], trailer: [[UInt8]] = [], sheets: [(name: String, kind: Int, records: [[UInt8]])],
                         biff8: Bool = true) -> [UInt8] {
        func boundSheet(_ offset: Int, _ sheet: (name: String, kind: Int, records: [[UInt8]])) -> [UInt8] {
            let bytes = [UInt8](sheet.name.data(using: .windowsCP1252) ?? Data())
            let name = biff8 ? text(sheet.name, lengthBytes: 1) : [UInt8(bytes.count)] + bytes
            return record(0x0085, LE.u32(offset) + [0, UInt8(sheet.kind)] + name)
        }
        let head = bof(0x0005, biff8: biff8) + globals.joined()
        let boundSize = sheets.map { boundSheet(0, $0).count }.reduce(0, +)
        var offset = head.count + boundSize + trailer.joined().count + eof.count
        var bounds: [UInt8] = []
        var bodies: [UInt8] = []
        for sheet in sheets {
            let substream = bof(sheet.kind == 2 ? 0x0020 : (sheet.kind == 1 ? 0x0040 : 0x0010), biff8: biff8) + sheet.records.joined() + eof
            bounds += boundSheet(offset, sheet)
            bodies += substream
            offset += substream.count
        }
        return head + bounds + trailer.joined() + eof + bodies
    }

    /// One worksheet named "Sheet1" holding `records`, with `globals` and shared strings.
    static func book(_ records: [[UInt8]], globals: [[UInt8]] = [], strings: [String] = []) -> [UInt8] {
        workbook(globals: globals, trailer: strings.isEmpty ? [] : sst(strings), sheets: [("Sheet1", 0, records)])
    }
}

/// A compound file ([MS-CFB]) holding named streams: those under 4096 bytes in the mini stream.
struct CompoundFileBuilder {
    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let free: UInt32 = 0xFFFF_FFFF
    static let noStream: UInt32 = 0xFFFF_FFFF

    struct Entry {
        var name: String
        var type: UInt8
        var start: UInt32
        var size: Int
        var left = CompoundFileBuilder.noStream
        var right = CompoundFileBuilder.noStream
        var child = CompoundFileBuilder.noStream
    }

    /// What is written, editable before it is (to damage the file).
    struct Layout {
        var fat: [UInt32] = []
        var entries: [Entry] = []
        var declaredFATSectors: UInt32 = 0
        /// The first sector of each stream by name.
        var starts: [String: Int] = [:]
    }

    var streams: [(name: String, bytes: [UInt8])]
    var sectorShift = 9
    /// Sectors of zeros added before the streams (to need more FAT sectors than the header lists).
    var paddingSectors = 0

    init(_ streams: [(name: String, bytes: [UInt8])], sectorShift: Int = 9) {
        self.streams = streams
        self.sectorShift = sectorShift
    }

    /// A workbook file holding one `Workbook` stream.
    static func workbook(_ stream: [UInt8]) -> CompoundFileBuilder { CompoundFileBuilder([("Workbook", stream)]) }

    func build(damage: (inout Layout) -> Void = { _ in }) -> [UInt8] {
        let sectorSize = 1 << sectorShift
        var layout = Layout()
        var sectors: [[UInt8]] = []
        func allocate(_ bytes: [UInt8]) -> UInt32 {
            guard !bytes.isEmpty else { return Self.endOfChain }
            let first = sectors.count
            for start in stride(from: 0, to: bytes.count, by: sectorSize) {
                var sector = Array(bytes[start ..< min(bytes.count, start + sectorSize)])
                sector += [UInt8](repeating: 0, count: sectorSize - sector.count)
                sectors.append(sector)
                layout.fat.append(UInt32(sectors.count))
            }
            layout.fat[layout.fat.count - 1] = Self.endOfChain
            return UInt32(first)
        }
        for _ in 0 ..< paddingSectors {
            sectors.append([UInt8](repeating: 0, count: sectorSize))
            layout.fat.append(Self.free)
        }
        // Small streams: 64-byte mini sectors in the root's stream, chained by the mini FAT.
        var mini: [UInt8] = []
        var miniFAT: [UInt32] = []
        var entries = [Entry(name: "Root Entry", type: 5, start: Self.endOfChain, size: 0)]
        for (name, bytes) in streams {
            if bytes.count >= 4096 {
                let start = allocate(bytes)
                layout.starts[name] = Int(start)
                entries.append(Entry(name: name, type: 2, start: start, size: bytes.count))
            } else {
                let first = mini.count / 64
                let count = (bytes.count + 63) / 64
                mini += bytes + [UInt8](repeating: 0, count: count * 64 - bytes.count)
                for k in 0 ..< count { miniFAT.append(k == count - 1 ? Self.endOfChain : UInt32(first + k + 1)) }
                entries.append(Entry(name: name, type: 2, start: bytes.isEmpty ? Self.endOfChain : UInt32(first), size: bytes.count))
            }
        }
        entries[0].start = allocate(mini)
        entries[0].size = mini.count
        let miniFATStart = allocate(miniFAT.flatMap { LE.word($0) })
        // The root's children as a chain of right siblings.
        if entries.count > 1 { entries[0].child = 1 }
        for i in 1 ..< entries.count where i + 1 < entries.count { entries[i].right = UInt32(i + 1) }
        let perSector = sectorSize / 128
        let directoryCount = (entries.count + perSector - 1) / perSector
        let directoryStart = allocate([UInt8](repeating: 0, count: directoryCount * sectorSize))
        var fatCount = 1
        while (sectors.count + fatCount) > fatCount * (sectorSize / 4) { fatCount += 1 }
        let fatStart = sectors.count
        for _ in 0 ..< fatCount {
            sectors.append([UInt8](repeating: 0, count: sectorSize))
            layout.fat.append(0xFFFF_FFFD)
        }
        layout.entries = entries
        layout.declaredFATSectors = UInt32(fatCount)
        damage(&layout)

        var directory: [UInt8] = []
        for entry in layout.entries {
            let name = Array(entry.name.utf16.prefix(31))
            var bytes: [UInt8] = name.flatMap { (unit: UInt16) -> [UInt8] in LE.u16(Int(unit)) } + [0, 0]
            bytes += [UInt8](repeating: 0, count: 64 - bytes.count)
            bytes += LE.u16((name.count + 1) * 2) + [entry.type, 1] + LE.word(entry.left) + LE.word(entry.right) + LE.word(entry.child)
            bytes += [UInt8](repeating: 0, count: 16 + 4 + 16) + LE.word(entry.start) + LE.u32(entry.size) + LE.u32(0)
            directory += bytes
        }
        directory += [UInt8](repeating: 0, count: directoryCount * sectorSize - directory.count)
        for k in 0 ..< directoryCount {
            sectors[Int(directoryStart) + k] = Array(directory[k * sectorSize ..< (k + 1) * sectorSize])
        }
        var fatBytes = layout.fat.flatMap { LE.word($0) }
        fatBytes += [UInt8](repeating: 0xFF, count: fatCount * sectorSize - fatBytes.count)
        for k in 0 ..< fatCount {
            sectors[fatStart + k] = Array(fatBytes[k * sectorSize ..< (k + 1) * sectorSize])
        }

        // The header; FAT sectors past the 109 it lists go in DIFAT sectors after everything else.
        var header: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 16)
        header += LE.u16(0x3E) + LE.u16(sectorShift == 12 ? 4 : 3) + LE.u16(0xFFFE) + LE.u16(sectorShift) + LE.u16(6)
        header += [UInt8](repeating: 0, count: 6) + LE.u32(sectorShift == 12 ? directoryCount : 0) + LE.word(layout.declaredFATSectors)
        header += LE.word(directoryStart) + LE.u32(0) + LE.u32(4096) + LE.word(miniFATStart) + LE.u32((miniFAT.count * 4 + sectorSize - 1) / sectorSize)
        let fatSectors = (0 ..< fatCount).map { UInt32(fatStart + $0) }
        let inHeader = Array(fatSectors.prefix(109))
        let overflow = Array(fatSectors.dropFirst(109))
        let perDIFAT = sectorSize / 4 - 1
        let difatCount = (overflow.count + perDIFAT - 1) / perDIFAT
        header += LE.word(difatCount == 0 ? Self.endOfChain : UInt32(sectors.count)) + LE.u32(difatCount)
        header += (inHeader + [UInt32](repeating: Self.free, count: 109 - inHeader.count)).flatMap { LE.word($0) }
        header += [UInt8](repeating: 0, count: sectorSize - header.count)
        for k in 0 ..< difatCount {
            var words = Array(overflow.dropFirst(k * perDIFAT).prefix(perDIFAT))
            words += [UInt32](repeating: Self.free, count: perDIFAT - words.count)
            words.append(k == difatCount - 1 ? Self.endOfChain : UInt32(sectors.count + 1))
            sectors.append(words.flatMap { LE.word($0) })
        }
        // DIFAT sectors are marked in the FAT only when the FAT has room for them; the reader does not need it.
        return header + sectors.joined()
    }
}
