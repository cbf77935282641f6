import Foundation

/// Lua runs synchronously; the clients are async. Scripts run on a dedicated thread (never a
/// cooperative-pool thread), where an async call may be waited for by blocking.
public enum Blocking {
    /// Runs `operation` to completion and returns its result, blocking the calling (script) thread.
    public static func wait<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.set(.success(try await operation())) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try box.get()
    }

    /// Runs `body` on a new thread with a large stack and resumes when it has finished.
    public static func runOnScriptThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let thread = Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.stackSize = 64 << 20
            thread.name = "roster-script"
            thread.start()
        }
    }
}

/// One result handed from the async task to the waiting thread.
private final class ResultBox<T: Sendable>: @unchecked Sendable {  // guarded by `lock`; written once before the semaphore signals
    private let lock = NSLock()
    private var result: Result<T, Error>?
    func set(_ r: Result<T, Error>) { lock.lock(); result = r; lock.unlock() }
    func get() throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let result else { throw CancellationError() }
        return try result.get()
    }
}
