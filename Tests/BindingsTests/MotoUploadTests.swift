import Foundation
import Testing
@testable import Bindings
import LuaRuntime
import Sandbox
import Transport

@Suite(.serialized) struct MotoUploadTests {
    @Test func ogUploadSendsAPresignedPostFormToMotoAndTheBytesArriveIntact() async throws {
        guard await MotoServer.isAvailable() || MotoServer.mustRun else {
            print("skipping: python3 with moto[server] and boto3 is not available (and CI is not set)")
            return
        }
        let moto = try await MotoServer.start()
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
        let same = try await moto.object(bucket: "roster-test", key: "uploads/0f1e/leads.csv") == Array(content.utf8)  // outside #expect: 800 KB
        #expect(same)
    }
}
