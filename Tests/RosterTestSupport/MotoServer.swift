// moto's S3 server (pip `moto[server]`) on a free loopback port: the independent S3 implementation
// the end-to-end tests upload to. Blocking process work runs off the cooperative pool.
import Foundation

public struct MotoServer: Sendable {
    public let port: Int
    private let pid: Int32
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Credentials boto3 needs to sign anything (moto accepts any).
    public static let awsEnvironment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"]

    /// Whether moto tests must run (CI) rather than be skipped when moto is missing.
    public static var mustRun: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public enum Failure: Error { case exited(Int32), notStarted }

    /// Runs `python3 ARGS` on a plain thread; returns stdout, throws when it exits non-zero.
    @discardableResult
    public static func python(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = ["python3"] + arguments
                    process.environment = ProcessInfo.processInfo.environment.merging(awsEnvironment) { $1 }
                    let output = Pipe()
                    process.standardOutput = output
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else { throw Failure.exited(process.terminationStatus) }
                    return String(decoding: data, as: UTF8.self)
                })
            }
        }
    }

    /// Whether python3 with moto and boto3 can be used here.
    public static func isAvailable() async -> Bool {
        (try? await python(["-c", "import moto.server, boto3"])) != nil
    }

    /// Starts a server on a free port and waits until it answers.
    public static func start() async throws -> MotoServer {
        let port = Int(try await python(["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(port: port, pid: process.processIdentifier)
        for _ in 0 ..< 100 {
            if (try? await python(["-c", "import urllib.request; urllib.request.urlopen('\(server.endpoint)/moto-api/')"])) != nil {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw Failure.notStarted
    }

    /// Kills the server (moto's werkzeug server does not always stop on SIGTERM).
    public func stop() { kill(pid, SIGKILL) }

    /// Runs `body` in python with `s3`, a boto3 client for this server (path-style); returns stdout.
    @discardableResult
    public func boto(_ body: String) async throws -> String {
        try await Self.python(["-c", """
            import json, boto3
            from botocore.config import Config
            s3 = boto3.client("s3", endpoint_url="\(endpoint)", config=Config(s3={"addressing_style": "path"}))
            \(body)
            """])
    }

    /// An object's bytes, read back with boto3 (moto refuses anonymous GETs).
    public func object(bucket: String, key: String) async throws -> [UInt8] {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: target) }
        try await boto("open('\(target)', 'wb').write(s3.get_object(Bucket='\(bucket)', Key='\(key)')['Body'].read())")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: target)))
    }
}
