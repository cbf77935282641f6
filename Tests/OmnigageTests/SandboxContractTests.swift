import Foundation
import Testing
import Transport
@testable import Omnigage

/// Runs the whole Omnigage flow against a running Roster sandbox when `ROSTER_SANDBOX_URL` names one
/// (e.g. `http://127.0.0.1:8080`); skipped otherwise. Credentials default to the sandbox's public ones.
@Suite struct OmnigageSandboxContractTests {
    @Test func uploadImportAndWaitAgainstTheSandbox() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let root = environment["ROSTER_SANDBOX_URL"] else { return }
        let configuration = try OmnigageConfiguration.fromEnvironment(
            environment, accountKey: environment["OMNIGAGE_ACCOUNT_KEY"] ?? "sandbox", key: environment["OMNIGAGE_KEY"] ?? "sandbox-key",
            secret: environment["OMNIGAGE_SECRET"] ?? "sandbox-secret", baseURL: root + "/omnigage/api/v1")
        let transport = makeTransport()
        let og = OmnigageClient(configuration: configuration, transport: transport)
        let csv = "First Name,Last Name,Phone Number,Email Address\r\nAda,Quill,+15550100123,ada@example.com\r\nBo,\"Lee, Jr\",+15550100124,bo@example.com\r\n"
        let path = try temporaryFile(csv, name: "contract.csv")
        defer { removeTemporaryFile(path) }
        let upload = try await og.createUpload(name: "contract.csv", type: "text/csv", size: Int64(csv.utf8.count))
        let receipt = try await og.upload(upload, path: path)
        let mapping = try OmnigageClient.mappingArray(header: ["First Name", "Last Name", "Phone Number", "Email Address"], mapping: [
            "first-name": "First Name", "last-name": "Last Name", "phone1-phone-number": "Phone Number", "email1-email-address": "Email Address",
        ])
        let created = try await og.createImport(OmnigageImportOptions(uploadID: receipt.uploadID, uniquePrimaryPhone: true, mapping: mapping))
        let done = try await og.wait(created.id, timeout: .seconds(60), interval: .milliseconds(200))
        #expect(done.isCompleted)
        #expect(done.count("total") == 2)
        _ = try await og.results(created.id)
        try await transport.shutdown()
    }
}
