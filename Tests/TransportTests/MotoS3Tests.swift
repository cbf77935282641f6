import Foundation
import Logging
import RosterTestSupport
import Testing
@testable import Transport

extension MotoServer {
    /// A boto3 presigned POST for `key` in `bucket`, as (url, ordered fields).
    func presignedPost(bucket: String, key: String) async throws -> (String, [(String, String)]) {
        let output = try await boto("""
            post = s3.generate_presigned_post("\(bucket)", "\(key)", Conditions=[["starts-with", "$Content-Type", ""]], ExpiresIn=3600)
            print(json.dumps({"url": post["url"], "fields": [[k, v] for k, v in post["fields"].items()]}))
            """)
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
    @Test func uploadsToMotoAndReadsTheSameBytesBack() async throws {
        let available = await MotoServer.isAvailable()
        guard available || MotoServer.mustRun else {
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
