// The fast row path: a record's fields as UTF-8 bytes borrowed from a reader's buffer, handed to Lua
// and to writers without a Swift `String` per field. `String`s are made only where a person reads
// them (an errors file, a message).

/// One row's fields as UTF-8 byte ranges, borrowed: valid until their owner reads or converts the next row.
/// `starts` and `lengths` are parallel C arrays (`const char *const *`, `const size_t *`).
public struct BorrowedFields {
    public let count: Int
    public let starts: UnsafePointer<UnsafePointer<UInt8>?>
    public let lengths: UnsafePointer<Int>

    public init(count: Int, starts: UnsafePointer<UnsafePointer<UInt8>?>, lengths: UnsafePointer<Int>) {
        self.count = count
        self.starts = starts
        self.lengths = lengths
    }

    /// The bytes of field `i` (0-based).
    @inline(__always)
    public subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: starts[i], count: lengths[i])
    }

    /// The fields as strings (for the slow paths: errors file, validation, samples).
    public func strings() -> [String] {
        (0 ..< count).map { String(decoding: self[$0], as: UTF8.self) }
    }
}

/// Growable storage behind `BorrowedFields` (field pointers and lengths), owned by one reader or transform.
public final class FieldSlots {
    public private(set) var capacity = 0
    public private(set) var starts: UnsafeMutablePointer<UnsafePointer<UInt8>?>
    public private(set) var lengths: UnsafeMutablePointer<Int>

    public init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        starts = .allocate(capacity: self.capacity)
        lengths = .allocate(capacity: self.capacity)
    }

    deinit {
        starts.deallocate()
        lengths.deallocate()
    }

    /// Makes room for `count` fields (earlier contents are not kept).
    @inline(__always)
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        starts.deallocate()
        lengths.deallocate()
        capacity = max(count, capacity * 2)
        starts = .allocate(capacity: capacity)
        lengths = .allocate(capacity: capacity)
    }

    /// The first `count` slots as fields (`count` must not pass `capacity`).
    @inline(__always)
    public func fields(_ count: Int, from offset: Int = 0) -> BorrowedFields {
        BorrowedFields(count: count, starts: starts + offset, lengths: lengths + offset)
    }
}

/// A data record whose fields are borrowed (see `BorrowedFields`).
public struct BorrowedRecord {
    public var number: Int
    public var line: Int
    public var fields: BorrowedFields
    public var warnings: [String]

    public init(number: Int, line: Int, fields: BorrowedFields, warnings: [String] = []) {
        self.number = number
        self.line = line
        self.fields = fields
        self.warnings = warnings
    }

    /// The record with its own strings, valid after the reader moves on.
    public func record() -> Record {
        Record(values: fields.strings(), number: number, line: line, warnings: warnings)
    }
}

/// What one step of borrowed reading produced: a record on the fast path, or an event made in full
/// (a rejected record, or one the reader had to repair).
public enum BorrowedEvent {
    case record(BorrowedRecord)
    case event(ReadEvent)
}

/// A reader that can hand records over without making strings.
public protocol BorrowingReader: TableReader {
    /// Like `next()`; a record's fields stay valid until the next call of `next()` or `nextBorrowed()`.
    func nextBorrowed() throws -> BorrowedEvent?
}

/// A table read on the row path, whatever its reader: every record borrowed (the reader's own bytes
/// when it can lend them, its strings lent otherwise), every rejection as the reader made it.
public final class RecordStream {
    /// What one step produced.
    public enum Step {
        case record(BorrowedRecord)
        case rejected(RejectedRecord)
    }

    public let reader: any TableReader
    private let borrowing: (any BorrowingReader)?
    private let lender = RecordLender()

    public init(_ reader: any TableReader) {
        self.reader = reader
        borrowing = reader as? any BorrowingReader
    }

    /// The next record or rejection, nil at the end; a record is valid until the next call.
    public func next() throws -> Step? {
        let event: ReadEvent
        if let borrowing {
            switch try borrowing.nextBorrowed() {
            case nil: return nil
            case .record(let record): return .record(record)
            case .event(let made): event = made
            }
        } else {
            guard let made = try reader.next() else { return nil }
            event = made
        }
        switch event {
        case .record(let record): return .record(lender.borrow(record))
        case .rejected(let rejected): return .rejected(rejected)
        }
    }
}

/// A writer that takes fields as bytes (no `String` per field).
public protocol ByteRowWriter: TableWriter {
    /// Writes one row aligned with the header, from bytes (UTF-8).
    func writeRow(_ fields: BorrowedFields) throws
}

/// Lends a `Record`'s values as borrowed fields (its bytes copied once into a reused buffer), so that
/// readers that make strings feed the same row path; valid until the next `borrow`.
public final class RecordLender {
    private let slots = FieldSlots()
    private var arena = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    private var capacity = 4096

    public init() {}

    deinit { arena.deallocate() }

    public func borrow(_ record: Record) -> BorrowedRecord {
        BorrowedRecord(number: record.number, line: record.line, fields: lend(record.values), warnings: record.warnings)
    }

    /// `values` as borrowed fields.
    public func lend(_ values: [String]) -> BorrowedFields {
        var total = 0
        for value in values { total += value.utf8.count }
        if total > capacity {
            arena.deallocate()
            capacity = max(total, capacity * 2)
            arena = .allocate(capacity: capacity)
        }
        slots.reserve(values.count)
        var used = 0
        for (i, value) in values.enumerated() {
            var value = value
            let n = value.withUTF8 { bytes -> Int in
                if let base = bytes.baseAddress { (arena + used).update(from: base, count: bytes.count) }
                return bytes.count
            }
            slots.starts[i] = UnsafePointer(arena + used)
            slots.lengths[i] = n
            used += n
        }
        return slots.fields(values.count)
    }
}
