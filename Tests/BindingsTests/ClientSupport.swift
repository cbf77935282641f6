import Foundation
import Logging
@testable import Bindings
import LuaRuntime
import Pipeline
import Sandbox
import Transport

/// Where a sandbox's clients go, with its public credentials.
func target(of sandbox: RunningSandbox, omnigageSecret: String = SandboxCredentials.omnigageTokenSecret) -> SandboxTarget {
    SandboxTarget(omnigageBaseURL: sandbox.omnigageBaseURL, omnigageAccount: SandboxCredentials.omnigageAccountKey,
                  omnigageKey: SandboxCredentials.omnigageTokenKey, omnigageSecret: omnigageSecret,
                  whispirBaseURL: sandbox.whispirBaseURL, whispirAPIKey: SandboxCredentials.whispirAPIKey,
                  whispirUsername: SandboxCredentials.whispirUsername, whispirPassword: SandboxCredentials.whispirPassword)
}

/// What a script run on a script thread gave back: its results, or its error and the failure kind.
struct ScriptOutcome: Sendable {
    var values: [LuaValue] = []
    var error: LuaError?
    var failureKind: FailureKind?
    var logs: [String] = []
    /// The run report's `--json` line and exit code.
    var json = ""
    var exitCode: Int32 = 0
}

/// Runs `code` (saved as `name` in `directory`) with `arguments` on a dedicated script thread, as `roster run` does.
func runScript(_ code: String, name: String = "job.lua", in directory: String, arguments: [String] = [],
               sandbox: SandboxMode, environment: [String: String] = [:], plugins: [String] = [],
               dryRun: Bool = false) async throws -> ScriptOutcome {
    let path = try writeFile(directory, name, code)
    let collector = LogCollector()
    let settings = RunSettings(dryRun: dryRun, journalDirectory: directory + "/.roster/journal", scriptHash: code)
    return try await Blocking.runOnScriptThread {
        var logger = Logger(label: "test") { _ in CollectingHandler(collector: collector) }
        logger.logLevel = .info
        let transport = TransportConfiguration(retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100)))
        let host = try ScriptHost(options: LuaOptions(pluginDirectories: plugins),
                                  context: RosterContext(logger: logger, environment: environment, sandbox: sandbox, transport: transport,
                                                         settings: settings))
        do {
            let values = try host.run(script: path, arguments: arguments)
            return ScriptOutcome(values: values, logs: collector.all, json: host.report.json(), exitCode: host.report.exitCode)
        } catch let error as LuaError {
            // The client error comes back as its own type, carried through Lua.
            let kind = (error.underlying as? any ClassifiedFailure)?.failureKind
                ?? ((error.underlying as? JobError)?.underlying as? any ClassifiedFailure)?.failureKind
            host.report.fail(RunFailure(error: error.underlying ?? error, message: error.message))
            return ScriptOutcome(error: error, failureKind: kind, logs: collector.all, json: host.report.json(), exitCode: host.report.exitCode)
        }
    }
}
