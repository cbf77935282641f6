import Foundation
import Logging
import Testing
@testable import Transport

/// moto's S3 server on a free loopback port, started per test and stopped after it.
struct MotoServer {
    let process: Process
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Whether python3 with moto and boto3 can be used here.
    static func isAvailable() async -> Bool {
        (try? await offPool { try run(["-c", "import moto.server, boto3"]) }) != nil
    }

    /// Runs blocking process work on a plain thread so the (small) cooperative pool never stalls.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs python3 with `arguments`; returns stdout, throws when it exits non-zero.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MotoFailure.exited(process.terminationStatus) }
        return String(decoding: data, as: UTF8.self)
    }

    enum MotoFailure: Error { case exited(Int32), notStarted }

    static func start() async throws -> MotoServer {
        let port = try closedPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(process: process, port: port)
        var quiet = Logger(label: "moto-probe")
        quiet.logLevel = .critical
        let transport = makeTransport(logger: quiet, retry: .none)
        defer { Task { try? await transport.shutdown() } }
        for _ in 0..<100 {
            if let answer = try? await transport.send(TransportRequest(method: "GET", url: server.endpoint + "/moto-api/")),
               answer.status < 500 {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw MotoFailure.notStarted
    }

    /// Kills the server (moto's werkzeug server does not always stop on SIGTERM).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
    }

    /// The object's bytes, read back with boto3 (moto refuses anonymous GETs).
    func object(bucket: String, key: String) async throws -> [UInt8] {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString)").path
        let script = """
        import boto3
        from botocore.config import Config
        s3 = boto3.client("s3", endpoint_url="\(endpoint)", config=Config(s3={"addressing_style": "path"}))
        open("\(target)", "wb").write(s3.get_object(Bucket="\(bucket)", Key="\(key)")["Body"].read())
        """
        _ = try await Self.offPool { try Self.run(["-c", script], environment: Self.awsEnvironment) }
        defer { try? FileManager.default.removeItem(atPath: target) }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: target)))
    }

    static let awsEnvironment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"]

    /// A boto3 presigned POST for `key` in `bucket`, as (url, ordered fields).
    func presignedPost(bucket: String, key: String) async throws -> (String, [(String, String)]) {
        let script = """
        import json, boto3
        from botocore.config import Config
        s3 = boto3.client("s3", endpoint_url="\(endpoint)", config=Config(s3={"addressing_style": "path"}))
        post = s3.generate_presigned_post("\(bucket)", "\(key)", Conditions=[["starts-with", "$Content-Type", ""]], ExpiresIn=3600)
        print(json.dumps({"url": post["url"], "fields": [[k, v] for k, v in post["fields"].items()]}))
        """
        let output = try await Self.offPool { try Self.run(["-c", script], environment: Self.awsEnvironment) }
        let document = try JSONValue.parse(Array(output.utf8))
        let url = document["url"]?.stringValue ?? ""
        let fields = (document["fields"]?.arrayValue ?? []).compactMap { pair -> (String, String)? in
            guard let items = pair.arrayValue, items.count == 2, let name = items[0].stringValue, let value = items[1].stringValue else { return nil }
            return (name, value)
        }
        return (url, fields)
    }
}

@Suite(.serialized) struct MotoS3Tests {
    static let mustRun = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test func uploadsToMotoAndReadsTheSameBytesBack() async throws {
        let available = await MotoServer.isAvailable()
        guard available || Self.mustRun else {
            print("skipping: python3 with moto[server] and boto3 is not available (and CI is not set)")
            return
        }
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let transport = makeTransport()
        let created = try await transport.send(TransportRequest(method: "PUT", url: moto.endpoint + "/roster-test"))
        #expect(created.status == 200)

        // 3 MB of varied bytes with quotes, commas and non-ASCII text: several chunks.
        var content = [UInt8]()
        var row = 0
        while content.count < 3 * 1024 * 1024 {
            content += Array("\(row),\"Zoë, \"\"the\"\" tester\",+1407634\(row % 10000)\r\n".utf8)
            row += 1
        }
        let path = try temporaryFile(content, name: "moto-upload.csv")
        defer { removeTemporaryFile(path) }
        let (url, fields) = try await moto.presignedPost(bucket: "roster-test", key: "uploads/0f1e/${filename}")
        #expect(url.hasPrefix(moto.endpoint))
        let form = S3PostForm(url: url, fields: fields, expiresAt: Date().addingTimeInterval(3600))
        let result = try await S3PostUpload(transport: transport).upload(form, file: path, fileName: "leads.csv", contentType: "text/csv")
        #expect([200, 201, 204].contains(result.status))
        #expect(result.key == "uploads/0f1e/leads.csv")

        let readBack = try await moto.object(bucket: "roster-test", key: "uploads/0f1e/leads.csv")
        #expect(readBack.count == content.count)
        let identical = readBack == content  // compared outside #expect: a failure would print 3 MB of bytes
        #expect(identical)
        try await transport.shutdown()
    }
}
