import Foundation
import Testing
@testable import Bindings
import LuaRuntime
import Sandbox
import Transport

/// moto's S3 server on a free loopback port (the approach of Tests/TransportTests/MotoS3Tests.swift).
struct MotoS3 {
    let process: Process
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }
    static let awsEnvironment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"]

    /// Runs python3 with `arguments` off the cooperative pool; returns stdout, throws on a non-zero exit.
    static func python(_ arguments: [String]) async throws -> String {
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
                    guard process.terminationStatus == 0 else { throw MotoFailure.exited(process.terminationStatus) }
                    return String(decoding: data, as: UTF8.self)
                })
            }
        }
    }

    enum MotoFailure: Error { case exited(Int32), notStarted }

    static func start() async throws -> MotoS3 {
        let port = Int(try await python(["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoS3(process: process, port: port)
        for _ in 0..<100 {
            if (try? await python(["-c", "import urllib.request; urllib.request.urlopen('\(server.endpoint)/moto-api/')"])) != nil {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw MotoFailure.notStarted
    }

    func stop() { kill(process.processIdentifier, SIGKILL) }

    /// boto3 against this server, path-style addressing; `body` may use `s3`.
    func boto(_ body: String) async throws -> String {
        try await Self.python(["-c", """
            import json, boto3
            from botocore.config import Config
            s3 = boto3.client("s3", endpoint_url="\(endpoint)", config=Config(s3={"addressing_style": "path"}))
            \(body)
            """])
    }
}

@Suite(.serialized) struct MotoUploadTests {
    @Test func ogUploadSendsAPresignedPostFormToMotoAndTheBytesArriveIntact() async throws {
        guard (try? await MotoS3.python(["-c", "import moto.server, boto3"])) != nil
                || ProcessInfo.processInfo.environment["CI"] == "true" else {
            print("skipping: python3 with moto[server] and boto3 is not available (and CI is not set)")
            return
        }
        let moto = try await MotoS3.start()
        defer { moto.stop() }
        let sandbox = try await SandboxServer().start()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var content = "First Name,Last Name,Phone\r\n"
        for i in 0..<20_000 { content += "Zoë \(i),\"O'Neil, \"\"Jr\"\"\",+1407634\(String(format: "%04d", i))\r\n" }
        let file = try writeFile(dir, "leads.csv", content)
        _ = try await moto.boto("s3.create_bucket(Bucket='roster-test')")
        let form = try await moto.boto("""
            post = s3.generate_presigned_post("roster-test", "uploads/0f1e/${filename}", Conditions=[["starts-with", "$Content-Type", ""]], ExpiresIn=3600)
            print(json.dumps({"url": post["url"], "fields": [{k: v} for k, v in post["fields"].items()]}))
            """)
        let script = """
            local form = roster.json.decode(arg[2])
            local og = roster.omnigage {}
            local sent = og:upload({ name = "leads.csv", type = "text/csv", request_url = form.url,
                                     request_form_data = form.fields }, arg[1])
            return sent.status, sent.key, sent.bytes
            """
        let outcome = try await runScript(script, in: dir, arguments: [file, form], sandbox: .running(target(of: sandbox)))
        await sandbox.stop()
        #expect(outcome.error == nil, "\(outcome.error?.message ?? "")")
        #expect(outcome.values.dropFirst() == ["uploads/0f1e/leads.csv", .integer(Int64(content.utf8.count))])
        #expect([LuaValue.integer(200), 201, 204].contains(outcome.values.first ?? .nil))
        let copy = (dir as NSString).appendingPathComponent("read-back.csv")
        _ = try await moto.boto("open('\(copy)', 'wb').write(s3.get_object(Bucket='roster-test', Key='uploads/0f1e/leads.csv')['Body'].read())")
        let same = try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(content.utf8)  // outside #expect: 800 KB
        #expect(same)
    }
}
