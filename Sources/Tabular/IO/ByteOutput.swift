// Buffered output to a file descriptor or to memory; writers encode into it without Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a writer's bytes go: a file (created or given) or an in-memory buffer.
public final class ByteOutput {
    private enum Target {
        case file(fd: Int32, owned: Bool)
        case memory
    }

    /// The path reported in summaries and errors.
    public let path: String
    private let target: Target
    /// Unflushed bytes: [0, pending.end).
    let pending = ByteBuffer(capacity: flushThreshold + 64 * 1024)
    private var memory: [UInt8] = []
    /// Bytes accepted so far (flushed or not).
    public private(set) var bytesWritten = 0
    private var closed = false
    static let flushThreshold = 256 * 1024

    /// Creates (truncates) `path`.
    public init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TabularError.io(path: path, operation: "create", errno: errno) }
        self.path = path
        target = .file(fd: fd, owned: true)
    }

    /// Writes to an open descriptor (not closed by `close()` unless `closeWhenDone`).
    public init(fileDescriptor: Int32, path: String = "<fd>", closeWhenDone: Bool = false) {
        self.path = path
        target = .file(fd: fileDescriptor, owned: closeWhenDone)
    }

    /// Collects the bytes in memory; take them with `takeBytes()`.
    public init(memoryNamed name: String = "<memory>") {
        path = name
        target = .memory
    }

    deinit {
        if case let .file(fd, owned) = target, owned, !closed { _ = systemClose(fd) }
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        pending.append(byte)
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (pending.base + pending.end).update(from: source, count: bytes.count)
        pending.end += bytes.count
    }

    /// Appends raw bytes (e.g. a byte order mark before a writer starts).
    public func appendBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Makes room for `count` more bytes at `pending.base + pending.end`.
    @inline(__always)
    func reserve(_ count: Int) {
        if pending.capacity - pending.end < count { pending.compact(reserving: count) }
    }

    /// Lets `body` write up to `maxBytes` at a raw pointer, advancing the offset it is given; flushes if due.
    @inline(__always)
    func withSpace(_ maxBytes: Int, _ body: (UnsafeMutablePointer<UInt8>, inout Int) throws -> Void) throws {
        reserve(maxBytes)
        var end = pending.end
        try body(pending.base, &end)
        pending.end = end
        if end >= Self.flushThreshold { try flush() }
    }

    /// Flushes when enough is buffered; writers call it once per row.
    @inline(__always)
    func rowDone() throws {
        if pending.end >= Self.flushThreshold { try flush() }
    }

    /// Sends buffered bytes on.
    public func flush() throws {
        let count = pending.end
        guard count > 0 else { return }
        bytesWritten += count
        switch target {
        case .memory:
            memory.append(contentsOf: UnsafeBufferPointer(start: pending.base, count: count))
        case let .file(fd, _):
            var p = UnsafeRawPointer(pending.base)
            var left = count
            while left > 0 {
                let n = write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TabularError.io(path: path, operation: "write", errno: errno)
                }
                p += n
                left -= n
            }
        }
        pending.start = 0
        pending.end = 0
    }

    /// Bytes accepted so far including those still buffered.
    public var totalBytes: Int { bytesWritten + pending.end }

    /// Flushes and closes an owned descriptor.
    public func close() throws {
        try flush()
        if case let .file(fd, owned) = target, owned, !closed {
            closed = true
            if systemClose(fd) != 0 { throw TabularError.io(path: path, operation: "close", errno: errno) }
        }
    }

    /// The in-memory bytes written so far (flushing first), leaving the buffer empty.
    public func takeBytes() throws -> [UInt8] {
        try flush()
        defer { memory = [] }
        return memory
    }
}

private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
