import Foundation
import Testing
@testable import Transport

/// Benchmark hook for `scripts/bench`: `ROSTER_BENCH_UPLOAD_MB=1024 swift test --skip-build --filter UploadBenchmark`
/// uploads a sparse file of that size to a loopback server that discards the body, and prints the
/// process's peak RSS (server included) and throughput, and checks that peak RSS grew by far less
/// than the file. Without the variable it uploads 64 MB and checks only that every byte arrived.
@Suite struct UploadBenchmark {
    static func peakRSSKilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    @Test func uploadsALargeFileWithFlatMemory() async throws {
        let megabytes = Int(ProcessInfo.processInfo.environment["ROSTER_BENCH_UPLOAD_MB"] ?? "") ?? 64
        let size = Int64(megabytes) * 1024 * 1024
        let path = try temporaryFile([], name: "bench.bin")
        defer { removeTemporaryFile(path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
        defer { removeTemporaryFile(path) }

        let server = try await TestServer.start(discardBody: true) { _ in StubResponse(status: 204) }
        let transport = makeTransport()
        let form = S3PostForm(url: server.baseURL + "/", fields: [("key", "bench/${filename}")])
        let before = Self.peakRSSKilobytes()
        let started = ContinuousClock.now
        let result = try await S3PostUpload(transport: transport).upload(form, file: path, contentType: "application/octet-stream")
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let after = Self.peakRSSKilobytes()
        #expect(result.bytes == size)
        #expect(server.requests.first.map { String(decoding: $0.body, as: UTF8.self) }.flatMap { Int64($0) }.map { $0 > size } == true)
        print("upload benchmark: \(megabytes) MB in \(String(format: "%.2f", seconds)) s (\(String(format: "%.0f", Double(megabytes) / max(seconds, 0.001))) MB/s), peak RSS before \(before / 1024) MB, after \(after / 1024) MB")
        // Peak RSS is process-wide: only meaningful when this test runs alone (the benchmark mode).
        if after > 0, ProcessInfo.processInfo.environment["ROSTER_BENCH_UPLOAD_MB"] != nil {
            #expect((after - before) * 1024 < Int(size / 4) + 64 * 1024 * 1024)
        }
        try await transport.shutdown()
        await server.stop()
    }
}
