// A growable byte window over a stream: bytes [start, end) are unread; the hot loops index it directly.

/// A manually managed byte buffer; readers compact it and refill the tail.
final class ByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// First unread byte.
    var start = 0
    /// One past the last valid byte.
    var end = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var count: Int { end - start }

    /// Moves the unread bytes to the front and makes sure at least `space` bytes are free at the tail.
    func compact(reserving space: Int) {
        if start > 0 {
            let n = end - start
            if n > 0 { (base).update(from: base + start, count: n) }
            start = 0
            end = n
        }
        if capacity - end < space {
            var newCapacity = capacity * 2
            while newCapacity - end < space { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: base, count: end)
            base.deallocate()
            base = grown
            capacity = newCapacity
        }
    }

    /// Free bytes at the tail.
    var freeSpace: Int { capacity - end }

    /// Appends bytes (used by transcoders).
    func append(_ byte: UInt8) {
        if end == capacity { compact(reserving: 1) }
        base[end] = byte
        end += 1
    }
}
