// ZIP entries inflated with ZIPFoundation's streaming extract, CRC-32 checked with zlib, bombs refused.
// A worksheet is read as a pull stream: a helper thread inflates into a small bounded queue of chunks.
import Foundation
import SystemZlib
import ZIPFoundation

/// Limits that refuse zip bombs before and while inflating an entry.
public struct ZipLimits: Sendable, Equatable {
    /// Largest inflated size of one entry.
    public var maxEntryBytes: UInt64
    /// Largest inflated/compressed ratio, checked for entries above `ratioFloorBytes`.
    public var maxRatio: UInt64
    /// Entries smaller than this are never refused for their ratio.
    public var ratioFloorBytes: UInt64

    /// Defaults: 2 GiB per entry, ratio 200:1 above 16 MiB (real worksheets compress 5-30:1).
    public init(maxEntryBytes: UInt64 = 2 << 30, maxRatio: UInt64 = 200, ratioFloorBytes: UInt64 = 16 << 20) {
        self.maxEntryBytes = maxEntryBytes
        self.maxRatio = maxRatio
        self.ratioFloorBytes = ratioFloorBytes
    }
}

enum ZipEntries {
    static let chunkSize = 64 * 1024

    /// Throws when the entry's declared sizes break `limits`.
    static func check(_ entry: Entry, limits: ZipLimits, path: String) throws {
        let inflated = entry.uncompressedSize
        let compressed = max(entry.compressedSize, 1)
        if inflated > limits.maxEntryBytes {
            throw TabularError.zipBomb(path: path, entry: entry.path, detail: "it inflates to \(inflated) bytes (limit \(limits.maxEntryBytes))")
        }
        if inflated > limits.ratioFloorBytes, inflated / compressed > limits.maxRatio {
            throw TabularError.zipBomb(path: path, entry: entry.path,
                                       detail: "compression ratio \(inflated / compressed):1 exceeds \(limits.maxRatio):1")
        }
    }

    /// Inflates a whole (small or streamed-through) entry into `consumer`, checking size and CRC.
    static func extract(_ archive: Archive, entry: Entry, limits: ZipLimits, path: String,
                        consumer: (UnsafeRawBufferPointer) throws -> Void) throws {
        try check(entry, limits: limits, path: path)
        var crc: uLong = crc32(0, nil, 0)
        var total: UInt64 = 0
        let declared = entry.uncompressedSize
        do {
            _ = try archive.extract(entry, bufferSize: chunkSize, skipCRC32: true) { data in
                total += UInt64(data.count)
                if total > declared || total > limits.maxEntryBytes {
                    throw TabularError.zipBomb(path: path, entry: entry.path, detail: "it inflates beyond its declared size \(declared)")
                }
                try data.withUnsafeBytes { raw in
                    if let base = raw.baseAddress {
                        crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(raw.count))
                    }
                    try consumer(raw)
                }
            }
        } catch let error as TabularError {
            throw error
        } catch let error as XLSXPartError {
            throw TabularError.malformed(path: path, line: nil, detail: "\(error.part): \(error.detail)")
        } catch {
            throw TabularError.malformed(path: path, line: nil, detail: "cannot inflate \(entry.path): \(error); re-save the workbook")
        }
        if UInt32(truncatingIfNeeded: crc) != entry.checksum {
            throw TabularError.checksumMismatch(path: path, entry: entry.path)
        }
    }
}

/// Chunks handed from the inflating thread to the reader, at most `depth` in flight.
final class ChunkChannel: @unchecked Sendable { // every stored property is read and written only under `condition`
    private let condition = NSCondition()
    private var queue: [Data] = []
    private var finished = false
    private var failure: TabularError?
    private var cancelled = false
    private let depth = 4

    struct Cancelled: Error {}

    /// Called by the producer; blocks while the queue is full; throws once the consumer has gone.
    func put(_ data: Data) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        queue.append(data)
        condition.broadcast()
    }

    func finish(_ error: TabularError?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Next chunk, or nil at the end; rethrows the producer's failure.
    func take() throws -> Data? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        if !queue.isEmpty {
            let data = queue.removeFirst()
            condition.broadcast()
            return data
        }
        if let failure { throw failure }
        return nil
    }

    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// Streams one entry through a helper thread that owns its own `Archive`.
final class ZipEntryStream {
    private let channel = ChunkChannel()

    init(url: URL, entryPath: String, limits: ZipLimits, path: String) {
        let channel = self.channel
        Thread.detachNewThread {
            do {
                let archive = try Archive(url: url, accessMode: .read)
                guard let entry = archive[entryPath] else {
                    throw TabularError.malformed(path: path, line: nil, detail: "the workbook has no part \(entryPath)")
                }
                try ZipEntries.extract(archive, entry: entry, limits: limits, path: path) { raw in
                    try channel.put(Data(raw))
                }
                channel.finish(nil)
            } catch let error as TabularError {
                channel.finish(error)
            } catch {
                // Cancelled by the consumer, or ZIPFoundation's own error.
                channel.finish(TabularError.malformed(path: path, line: nil, detail: "cannot read \(entryPath): \(error)"))
            }
        }
    }

    deinit { channel.cancel() }

    /// The next inflated chunk, or nil at the end.
    func next() throws -> Data? { try channel.take() }
}
