// An open file read through a raw descriptor: the readers own their buffering.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A readable file descriptor (closed on deinit), or bytes already in memory.
final class FileInput {
    let path: String
    private let fd: Int32
    private let memory: [UInt8]
    private var position = 0

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TabularError.io(path: path, operation: "open for reading", errno: errno) }
        self.path = path
        self.fd = fd
        memory = []
    }

    /// Reads `bytes` as if they were a file called `name`.
    init(bytes: [UInt8], name: String) {
        path = name
        fd = -1
        memory = bytes
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Reads up to `count` bytes into `destination`; 0 means end of file.
    func read(into destination: UnsafeMutableRawPointer, count: Int) throws -> Int {
        if fd < 0 {
            let n = min(count, memory.count - position)
            guard n > 0 else { return 0 }
            memory.withUnsafeBytes { raw in
                if let base = raw.baseAddress { destination.copyMemory(from: base + position, byteCount: n) }
            }
            position += n
            return n
        }
        while true {
            let n = systemRead(fd, destination, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw TabularError.io(path: path, operation: "read", errno: errno)
        }
    }

    /// Reads up to `count` bytes from the start of the file (for sniffing), then rewinds.
    func peek(count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return try read(into: base + filled, count: count - filled)
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(count - filled)
        try rewind()
        return bytes
    }

    /// Moves back to the start of the file.
    func rewind() throws {
        if fd < 0 {
            position = 0
            return
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw TabularError.io(path: path, operation: "seek", errno: errno) }
    }
}

/// The C `read`, named apart from the method above.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
