import ArgumentParser
import Bindings
import Foundation
import Logging
import LuaRuntime
import Sandbox
import Transport

/// `roster run SCRIPT.lua [ARGS...]`: runs a script as `lua` would, with the `roster` module.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Lua script: arg[0] is the script, arg[1..] the remaining arguments (also `...`).",
        discussion: """
            Flags for roster go before the script; everything after it is passed to the script.
              roster run examples/hello.lua World
              roster run --plugins ~/customers jobs/nightly.lua exports/firstbank.csv
              roster run --sandbox examples/omnigage_import.lua examples/data/contacts.csv
            With neither OMNIGAGE_KEY nor WHISPIR_API_KEY set, clients use the built-in sandbox.
            """
    )

    @OptionGroup var lua: LuaFlags
    @OptionGroup var output: OutputFlags

    @Flag(help: "Start the local sandbox in-process and point every client at it.")
    var sandbox = false

    @Argument(help: "The Lua script to run.")
    var script: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script.")
    var arguments: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = output.logger()
        let options = try lua.options(environment: environment)
        let launcher = SandboxLauncher(logger: logger)
        let mode: SandboxMode
        if sandbox {
            mode = .running(try await launcher.start(notice: nil))
        } else if !Self.hasCredentials(environment) {
            mode = .onDemand { try await launcher.start(notice: "no credentials set: using the built-in sandbox at") }
        } else {
            mode = .off
        }
        let (script, arguments) = (self.script, self.arguments)
        let started = ContinuousClock.now
        let (code, summary) = try await AsyncBridge.runOnScriptThread { () throws -> (Int32, RunSummary) in
            let host = try ScriptHost(options: options, context: RosterContext(logger: logger, environment: environment, sandbox: mode))
            var code: Int32 = 0
            do {
                try host.run(script: script, arguments: arguments)
            } catch let error as LuaError {
                ScriptFailure.report(error)
                code = ScriptFailure.exitCode(host.session.failureKind(of: error))
            }
            for (path, records) in host.ledger.unaccounted {
                logger.warning("\(records) record(s) of \(path) were read but neither sent, skipped nor rejected")
            }
            let imports = host.session.imports
            let targets = Set(imports.map(\.target))
            return (code, RunSummary(ledger: host.ledger, target: targets.count == 1 ? targets.first : nil,
                                     imports: imports.map { .init(id: $0.id, status: $0.status) },
                                     elapsed: ContinuousClock.now - started))
        }
        await launcher.stop()
        if summary.read > 0 && !output.quiet { FileHandle.standardError.write(Data("roster: \(summary.text)\n".utf8)) }
        if output.json { print(summary.json()) }
        // Rejected rows end an otherwise successful run with 3 (the errors file names them).
        if code == 0 && summary.rejected > 0 { throw ExitCode(3) }
        if code != 0 { throw ExitCode(code) }
    }

    /// Whether the environment names vendor credentials (otherwise the sandbox is the default).
    static func hasCredentials(_ environment: [String: String]) -> Bool {
        ["OMNIGAGE_KEY", "WHISPIR_API_KEY"].contains { !(environment[$0] ?? "").isEmpty }
    }
}

/// Prints a script error as `roster: file:line: message` plus a short traceback.
enum ScriptFailure {
    static func report(_ error: LuaError) {
        var text = "roster: \(error.message)\n"
        if let tb = error.shortTraceback { text += tb + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Exit codes of docs/design.md: 4 vendor refusal, 5 transport failure, 2 unusable settings, else 1.
    static func exitCode(_ kind: FailureKind?) -> Int32 {
        switch kind {
        case .refused: return 4
        case .unavailable: return 5
        case .configuration: return 2
        case nil: return 1
        }
    }
}

/// Starts the in-process sandbox once (for `--sandbox` or the no-credentials default) and stops it.
actor SandboxLauncher {
    private let logger: Logger
    private var running: RunningSandbox?

    init(logger: Logger) { self.logger = logger }

    /// Starts the sandbox if needed and returns where clients should go; `notice` (followed by the
    /// URL) is printed on stderr, otherwise the URL is logged at info level.
    func start(notice: String?) async throws -> SandboxTarget {
        let sandbox: RunningSandbox
        if let running {
            sandbox = running
        } else {
            sandbox = try await SandboxServer().start()
            running = sandbox
            if let notice {
                FileHandle.standardError.write(Data("\(notice) \(sandbox.rootURL)\n".utf8))
            } else {
                logger.info("using the built-in sandbox at \(sandbox.rootURL)")
            }
        }
        return SandboxTarget(
            omnigageBaseURL: sandbox.omnigageBaseURL, omnigageAccount: SandboxCredentials.omnigageAccountKey,
            omnigageKey: SandboxCredentials.omnigageTokenKey, omnigageSecret: SandboxCredentials.omnigageTokenSecret,
            whispirBaseURL: sandbox.whispirBaseURL, whispirAPIKey: SandboxCredentials.whispirAPIKey,
            whispirUsername: SandboxCredentials.whispirUsername, whispirPassword: SandboxCredentials.whispirPassword)
    }

    /// Stops the sandbox if it was started.
    func stop() async {
        await running?.stop()
        running = nil
    }
}
