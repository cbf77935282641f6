import Foundation
import Testing
import Transport
@testable import Whispir

/// Runs a split CSV import against a running Roster sandbox when `ROSTER_SANDBOX_URL` names one;
/// skipped otherwise. Credentials default to the sandbox's public ones.
@Suite struct WhispirSandboxContractTests {
    @Test func splitImportAgainstTheSandbox() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let root = environment["ROSTER_SANDBOX_URL"] else { return }
        let configuration = WhispirConfiguration(
            apiKey: environment["WHISPIR_API_KEY"] ?? "sandbox-api-key", username: environment["WHISPIR_USERNAME"] ?? "sandbox.user",
            password: environment["WHISPIR_PASSWORD"] ?? "sandbox-password", baseURL: root + "/whispir", requestLimit: 4000)
        let transport = makeTransport()
        var csv = "firstName,lastName,workEmailAddress1,workMobilePhone1,workCountry,timezone\r\n"
        for index in 0..<100 {
            csv += "Mia\(index),\"Tran, \(index)\",mia\(index)@example.org,6140011\(String(format: "%04d", index)),Australia,Australia/Sydney\r\n"
        }
        var mapping = seedMapping
        mapping["workEmailAddress1"] = "workEmailAddress1"
        let report = try await WhispirClient(configuration: configuration, transport: transport)
            .importCSV(Array(csv.utf8), name: "contract.csv", importMode: .replace, fieldMapping: mapping)
        #expect(report.parts.count > 1)
        #expect(report.rows == 100)
        #expect(report.parts.allSatisfy { $0.receipt.status == 202 })
        try await transport.shutdown()
    }
}
