// The Compound File Binary container ([MS-CFB]) around a legacy workbook: header, DIFAT, FAT, mini FAT and
// directory. Every count and size in the file is a hint: chains are followed with a visited set (a cycle is an
// error), sector numbers past the end of the file are errors, and nothing is allocated from a declared size.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read at any offset with `pread` (closed on deinit).
final class PositionedFile {
    let path: String
    let size: Int
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TabularError.io(path: path, operation: "open for reading", errno: errno) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else {
            let code = errno
            close(fd)
            throw TabularError.io(path: path, operation: "seek", errno: code)
        }
        self.path = path
        self.fd = fd
        size = Int(end)
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes at `offset` into `destination`; fewer only at the end of the file.
    func read(at offset: Int, count: Int, into destination: UnsafeMutableRawPointer) throws -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw TabularError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// `count` bytes at `offset`, or fewer at the end of the file.
    func bytes(at offset: Int, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try buffer.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return try read(at: offset, count: count, into: base)
        }
        buffer.removeLast(count - n)
        return buffer
    }
}

/// A set of small non-negative integers (sector numbers), sized by what the file can hold.
struct VisitedSet {
    private var words: [UInt64]

    init(capacity: Int) { words = [UInt64](repeating: 0, count: (max(capacity, 0) + 63) / 64) }

    /// Adds `n` (which must be below the capacity); false when it was already there.
    mutating func insert(_ n: Int) -> Bool {
        let (word, bit) = (n >> 6, UInt64(1) << UInt64(n & 63))
        if words[word] & bit != 0 { return false }
        words[word] |= bit
        return true
    }
}

/// Little-endian fields of a byte array.
extension Array where Element == UInt8 {
    func le16(_ i: Int) -> Int { Int(self[i]) | Int(self[i + 1]) << 8 }
    func le32(_ i: Int) -> UInt32 { UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24 }
}

/// One stream of a compound file: the file offsets of its sectors (or mini sectors) in order, and its size.
final class CompoundStream {
    let file: PositionedFile
    let name: String
    let size: Int
    /// File offset of each unit of the stream, `unitSize` bytes each.
    private let units: [Int]
    private let unitSize: Int

    init(file: PositionedFile, name: String, size: Int, units: [Int], unitSize: Int) {
        self.file = file
        self.name = name
        self.size = size
        self.units = units
        self.unitSize = unitSize
    }

    /// Copies the stream's bytes `offset ..< offset + count` (which must lie inside the stream) to `destination`;
    /// runs of adjacent sectors are read with one call. Throws when the file ends before them.
    func read(at offset: Int, count: Int, into destination: UnsafeMutableRawPointer) throws {
        var done = 0
        while done < count {
            let position = offset + done
            var unit = position / unitSize
            let within = position % unitSize
            let start = units[unit] + within
            var length = min(unitSize - within, count - done)
            // Extend over sectors that follow each other in the file.
            while done + length < count, unit + 1 < units.count, units[unit + 1] == units[unit] + unitSize {
                unit += 1
                length = min(length + unitSize, count - done)
            }
            let n = try file.read(at: start, count: length, into: destination + done)
            guard n == length else {
                throw TabularError.malformed(path: file.path, line: nil, detail: "the \(name) stream is cut short: the file ends at byte \(file.size), inside it; the file is truncated: copy or download it again, or open it in Excel and save it again")
            }
            done += length
        }
    }
}

/// The container of a legacy workbook: finds and opens its streams.
struct CompoundFile {
    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    private static let endOfChain: UInt32 = 0xFFFF_FFFE
    private static let lastRegularSector: UInt32 = 0xFFFF_FFFA
    /// Streams shorter than this live in the mini stream ([MS-CFB] 2.2).
    private static let miniStreamCutoff = 4096

    /// One directory entry: what the reader needs of it.
    struct Entry {
        var name: String
        /// 1 storage, 2 stream, 5 root storage; anything else is unused.
        var type: UInt8
        var left: UInt32
        var right: UInt32
        var child: UInt32
        var start: UInt32
        var size: Int
    }

    let file: PositionedFile
    let entries: [Entry]
    private let sectorShift: Int
    private let miniSectorShift: Int
    /// Sectors after the header, counting a last partial one.
    private let sectorCount: Int
    /// The FAT, cut to the sectors the file holds.
    private let fat: [UInt32]
    private let firstMiniFATSector: UInt32

    private var sectorSize: Int { 1 << sectorShift }
    private var path: String { file.path }

    /// Reads the header, the FAT and the directory of `path`. A file that is not a version 3 or 4 compound file
    /// is `legacyWorkbook(encrypted: false)`.
    init(path: String) throws {
        let file = try PositionedFile(path: path)
        self.file = file
        let header = try file.bytes(at: 0, count: 512)
        guard header.count == 512, header.starts(with: Self.signature) else {
            throw TabularError.legacyWorkbook(path: path, encrypted: false)
        }
        let major = header.le16(26)
        guard header.le16(28) == 0xFFFE, major == 3 || major == 4 else {
            throw TabularError.legacyWorkbook(path: path, encrypted: false)
        }
        let sectorShift = header.le16(30)
        let miniSectorShift = header.le16(32)
        self.sectorShift = sectorShift
        self.miniSectorShift = miniSectorShift
        guard sectorShift == 9 || sectorShift == 12 else {
            throw Self.damaged(path, "its sector size is 2^\(sectorShift) bytes (a compound file has 512 or 4096)")
        }
        guard miniSectorShift >= 2, miniSectorShift < sectorShift else {
            throw Self.damaged(path, "its mini sector size is 2^\(miniSectorShift) bytes (a compound file has 64)")
        }
        let sectorSize = 1 << sectorShift
        let sectorCount = max(0, (file.size - sectorSize + sectorSize - 1) / sectorSize)
        self.sectorCount = sectorCount
        firstMiniFATSector = header.le32(60)

        // The FAT's own sectors: 109 in the header, the rest in a chain of DIFAT sectors whose last entry points
        // at the next one. The declared count is only an upper bound.
        let declaredFATSectors = Int(header.le32(44))
        let wanted = min(declaredFATSectors, sectorCount)
        var fatSectors: [Int] = []
        func take(_ entry: UInt32) throws -> Bool {
            guard fatSectors.count < wanted, entry < Self.lastRegularSector else { return false }
            guard Int(entry) < sectorCount else {
                throw Self.damaged(path, "FAT sector \(entry) is beyond the end of the file (\(sectorCount) sectors); the file may be truncated")
            }
            fatSectors.append(Int(entry))
            return true
        }
        var more = true
        for i in 0 ..< 109 where more {
            more = try take(header.le32(76 + 4 * i))
        }
        var difat = header.le32(68)
        var seenDIFAT = VisitedSet(capacity: sectorCount)
        let perSector = sectorSize / 4
        while more, fatSectors.count < wanted, difat < Self.lastRegularSector {
            guard Int(difat) < sectorCount else {
                throw Self.damaged(path, "DIFAT sector \(difat) is beyond the end of the file (\(sectorCount) sectors); the file may be truncated")
            }
            guard seenDIFAT.insert(Int(difat)) else { throw Self.damaged(path, "the DIFAT chain runs in a cycle at sector \(difat)") }
            let words = try Self.sector(file, Int(difat), shift: sectorShift)
            for k in 0 ..< perSector - 1 where more {
                more = try take(words.le32(4 * k))
            }
            difat = words.le32(4 * (perSector - 1))
        }
        var fat: [UInt32] = []
        fat.reserveCapacity(min(fatSectors.count * perSector, sectorCount))
        for sector in fatSectors where fat.count < sectorCount {
            let words = try Self.sector(file, sector, shift: sectorShift)
            for k in 0 ..< min(perSector, sectorCount - fat.count) { fat.append(words.le32(4 * k)) }
        }
        self.fat = fat

        // The directory: 128-byte entries in a chain from the header.
        var entries: [Entry] = []
        for sector in try Self.chain(from: header.le32(48), fat: fat, sectorCount: sectorCount, what: "directory", path: path) {
            let bytes = try Self.sector(file, sector, shift: sectorShift)
            for at in stride(from: 0, to: sectorSize, by: 128) {
                let nameBytes = min(max(bytes.le16(at + 64), 2), 64) - 2
                var units: [UInt16] = []
                for k in stride(from: 0, to: nameBytes - 1, by: 2) { units.append(UInt16(bytes.le16(at + k))) }
                let low = Int(bytes.le32(at + 120)), high = Int(bytes.le32(at + 124))
                // Version 3 files may leave garbage in the high half of the size.
                let size = sectorShift == 9 || high == 0 ? low : Int.max
                entries.append(Entry(name: String(decoding: units, as: UTF16.self), type: bytes[at + 66],
                                     left: bytes.le32(at + 68), right: bytes.le32(at + 72), child: bytes.le32(at + 76),
                                     start: bytes.le32(at + 116), size: size))
            }
        }
        guard let root = entries.first, root.type == 5 else {
            throw Self.damaged(path, "its directory has no root entry")
        }
        self.entries = entries
    }

    private static func damaged(_ path: String, _ detail: String) -> TabularError {
        .malformed(path: path, line: nil, detail: "not a readable compound file (.xls): \(detail); open it in Excel and save it again")
    }

    /// The whole sector `n` (zero-filled past the end of the file).
    private static func sector(_ file: PositionedFile, _ n: Int, shift: Int) throws -> [UInt8] {
        var bytes = try file.bytes(at: (n + 1) << shift, count: 1 << shift)
        if bytes.count < 1 << shift { bytes += [UInt8](repeating: 0, count: (1 << shift) - bytes.count) }
        return bytes
    }

    /// The sectors of a chain from `start` until its end (or `limit` sectors): each must be in the file and
    /// visited once.
    private static func chain(from start: UInt32, fat: [UInt32], sectorCount: Int, what: String, path: String,
                              limit: Int = .max) throws -> [Int] {
        var sectors: [Int] = []
        var visited = VisitedSet(capacity: sectorCount)
        var current = start
        while current != endOfChain, sectors.count < limit {
            guard Int(current) < sectorCount else {
                let why = current >= lastRegularSector ? "holds the marker \(String(current, radix: 16, uppercase: true)) instead of a sector number" : "is beyond the end of the file (\(sectorCount) sectors); the file may be truncated"
                throw damaged(path, "sector \(sectors.count + 1) of the \(what) \(why)")
            }
            guard visited.insert(Int(current)) else { throw damaged(path, "the \(what)'s chain of sectors runs in a cycle at sector \(current)") }
            sectors.append(Int(current))
            guard Int(current) < fat.count else {
                throw damaged(path, "sector \(current) of the \(what) has no entry in the FAT")
            }
            current = fat[Int(current)]
        }
        return sectors
    }

    /// The direct children of the root storage (the siblings tree under its child), each visited once.
    var rootChildren: [Int] {
        var result: [Int] = []
        var visited = VisitedSet(capacity: entries.count)
        var pending = [entries[0].child]
        while let next = pending.popLast() {
            guard Int(next) < entries.count, visited.insert(Int(next)) else { continue }
            let entry = entries[Int(next)]
            result.append(Int(next))
            pending.append(entry.left)
            pending.append(entry.right)
        }
        return result.sorted()
    }

    /// True when the file holds an encrypted OOXML package (`EncryptionInfo`, `EncryptedPackage`).
    var isEncryptedPackage: Bool {
        entries.contains { ($0.type == 2 || $0.type == 1) && ["encryptioninfo", "encryptedpackage"].contains($0.name.lowercased()) }
    }

    /// The stream named `name` (case-insensitively) among the root's children, else anywhere in the directory.
    func streamEntry(named name: String) -> Int? {
        let wanted = name.lowercased()
        func matches(_ i: Int) -> Bool { entries[i].type == 2 && entries[i].name.lowercased() == wanted }
        return rootChildren.first(where: matches) ?? entries.indices.first(where: matches)
    }

    /// Opens the stream of directory entry `index`: through the FAT, or the mini FAT when it is shorter than 4096 bytes.
    func open(entry index: Int) throws -> CompoundStream {
        let entry = entries[index]
        let what = "\(entry.name) stream"
        if entry.size >= Self.miniStreamCutoff {
            let needed = entry.size / sectorSize + (entry.size % sectorSize == 0 ? 0 : 1)
            let sectors = try Self.chain(from: entry.start, fat: fat, sectorCount: sectorCount, what: what, path: path, limit: needed)
            guard sectors.count == needed else { throw truncated(entry, holds: sectors.count * sectorSize) }
            return CompoundStream(file: file, name: entry.name, size: entry.size, units: sectors.map { ($0 + 1) << sectorShift }, unitSize: sectorSize)
        }
        // The mini stream is the root entry's stream; the mini FAT is a chain of ordinary sectors.
        let miniSize = 1 << miniSectorShift
        let root = entries[0]
        let containerSectors = try Self.chain(from: root.start, fat: fat, sectorCount: sectorCount, what: "mini stream", path: path,
                                              limit: root.size / sectorSize + 1)
        let miniCount = containerSectors.count * (sectorSize / miniSize)
        var miniFAT: [UInt32] = []
        for sector in try Self.chain(from: firstMiniFATSector, fat: fat, sectorCount: sectorCount, what: "mini FAT", path: path) where miniFAT.count < miniCount {
            let words = try Self.sector(file, sector, shift: sectorShift)
            for k in 0 ..< min(sectorSize / 4, miniCount - miniFAT.count) { miniFAT.append(words.le32(4 * k)) }
        }
        let needed = entry.size / miniSize + (entry.size % miniSize == 0 ? 0 : 1)
        let minis = try Self.chain(from: entry.start, fat: miniFAT, sectorCount: miniCount, what: what + " (in the mini stream)", path: path, limit: needed)
        guard minis.count == needed else { throw truncated(entry, holds: minis.count * miniSize) }
        let units = minis.map { mini -> Int in
            let position = mini << miniSectorShift
            return ((containerSectors[position >> sectorShift] + 1) << sectorShift) + position & (sectorSize - 1)
        }
        return CompoundStream(file: file, name: entry.name, size: entry.size, units: units, unitSize: miniSize)
    }

    private func truncated(_ entry: Entry, holds: Int) -> TabularError {
        let declared = entry.size == .max ? "more than 4 GiB" : "\(entry.size) bytes"
        return .malformed(path: path, line: nil, detail: "the \(entry.name) stream is cut short: it declares \(declared) but its sectors hold \(holds); the file is truncated or damaged: copy or download it again, or open it in Excel and save it again")
    }
}
