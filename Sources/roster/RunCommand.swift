import ArgumentParser
import Bindings
import Foundation
import Logging
import LuaRuntime
import Pipeline
import Sandbox
import Transport

/// Flags of commands that run jobs.
struct JobFlags: ParsableArguments {
    @Flag(help: "Start the local sandbox in-process and point every client at it.")
    var sandbox = false

    @Flag(help: "Forget the journal of each job and import again (a finished job is otherwise not imported twice).")
    var fresh = false

    @Flag(help: "Show the progress line on stderr even when it is not a terminal.")
    var progress = false

    @Option(help: "Wall-clock seconds the whole run may take; past it the run stops like on SIGTERM and exits 124 (0 = no limit).")
    var timeout: Double = 6 * 3600

    @Option(help: "Retries after a transient failure (connection lost, 429, 500 from S3, 502, 503, 504) per request.")
    var retries: Int = 4

    @Option(name: .customLong("request-timeout"), help: "Seconds to wait for an answer once a request is sent (a response that never comes is then retried where that is safe).")
    var requestTimeout: Double = 60

    @Option(name: .customLong("retry-max-delay"), help: "Longest wait in seconds between retries (full jitter below it; a Retry-After is honoured up to 120 s).")
    var retryMaxDelay: Double = 30

    @Option(help: "Write a results CSV: every source record once with its outcome, reason and vendor id (a job's results_file wins; a second job writes FILE-2...).")
    var results: String?

    @Option(help: "Lua states to run every source's row stages in (1 = the script's own). For stages that keep no state across rows: each state gets a copy of the functions; output and row accounting stay in input order.")
    var parallel: Int = 1

    func validate() throws {
        if parallel < 1 || parallel > 64 { throw ValidationError("--parallel must be between 1 and 64 Lua states") }
        if timeout < 0 { throw ValidationError("--timeout must be 0 or more seconds") }
        if retries < 0 || retries > 100 { throw ValidationError("--retries must be between 0 and 100") }
        if retryMaxDelay < 0 { throw ValidationError("--retry-max-delay must be 0 or more seconds") }
        if requestTimeout <= 0 { throw ValidationError("--request-timeout must be more than 0 seconds") }
    }

    /// The transport settings these flags ask for.
    var transport: TransportConfiguration {
        var configuration = TransportConfiguration()
        configuration.retry.maxAttempts = retries + 1
        configuration.readTimeout = .milliseconds(Int64(requestTimeout * 1000))
        configuration.retry.maxDelay = .milliseconds(Int64(retryMaxDelay * 1000))
        if configuration.retry.baseDelay > configuration.retry.maxDelay { configuration.retry.baseDelay = configuration.retry.maxDelay }
        return configuration
    }
}

/// The script and what follows it (passed to the script untouched).
struct ScriptArguments: ParsableArguments {
    @Argument(help: "The Lua script.")
    var script: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script.")
    var arguments: [String] = []

    func validate() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: script, isDirectory: &isFolder), !isFolder.boolValue else {
            throw ValidationError("\(script): no such script (give the path of a .lua file)")
        }
    }
}

/// `roster run SCRIPT.lua [ARGS...]`: runs a script as `lua` would, with the `roster` module.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Lua script: arg[0] is the script, arg[1..] the remaining arguments (also `...`).",
        discussion: """
            Flags for roster go before the script; everything after it is passed to the script.
              roster run examples/hello.lua World
              roster run examples/job.lua examples/data/contacts.csv
              roster run --sandbox examples/omnigage_import.lua examples/data/contacts.csv
            A script that returns roster.job{...} has that job run. Each job is journalled under
            .roster/journal: a re-run resumes where it stopped and never imports the same input twice
            (--fresh imports again). With neither OMNIGAGE_KEY nor WHISPIR_API_KEY set, clients use the
            built-in sandbox.
            """
    )

    @OptionGroup var lua: LuaFlags
    @OptionGroup var output: OutputFlags
    @OptionGroup var job: JobFlags
    @OptionGroup var script: ScriptArguments

    func run() async throws {
        try await ScriptCommand.run(script, lua: lua, output: output, sandbox: job.sandbox, fresh: job.fresh, progress: job.progress,
                                    dryRun: false, timeout: job.timeout, transport: job.transport, results: job.results,
                                    parallel: job.parallel)
    }

    /// Whether the environment names vendor credentials (otherwise the sandbox is the default).
    static func hasCredentials(_ environment: [String: String]) -> Bool {
        ["OMNIGAGE_KEY", "WHISPIR_API_KEY"].contains { !(environment[$0] ?? "").isEmpty }
    }
}

/// `roster check SCRIPT.lua [ARGS...]`: the same run with every remote stage simulated.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a script's jobs with every remote stage simulated: header, mapping, samples, counts, rejections; sends nothing.",
        discussion: """
              roster check examples/job.lua examples/data/contacts.csv
              roster check --json examples/job.lua examples/data/contacts.csv
            Exit 0 when every row would be sent or deliberately skipped, 3 when rows would be rejected.
            """
    )

    @OptionGroup var lua: LuaFlags
    @OptionGroup var output: OutputFlags
    @OptionGroup var script: ScriptArguments

    func run() async throws {
        try await ScriptCommand.run(script, lua: lua, output: output, sandbox: false, fresh: false, progress: false, dryRun: true,
                                    timeout: 0, transport: TransportConfiguration())
    }
}

/// What `run` and `check` share: settings, the sandbox, the script thread, the summary and the exit code.
enum ScriptCommand {
    /// `text` as a shell word (quoted only when it must be).
    static func shellQuoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./=:@+,".unicodeScalars.contains($0) }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func run(_ invocation: ScriptArguments, lua: LuaFlags, output: OutputFlags, sandbox: Bool, fresh: Bool,
                    progress showProgressFlag: Bool, dryRun: Bool, timeout: Double, transport: TransportConfiguration,
                    results: String? = nil, parallel: Int = 1) async throws {
        let (script, arguments) = (invocation.script, invocation.arguments)
        let environment = ProcessInfo.processInfo.environment
        let showProgress = !output.quiet && !output.json && (showProgressFlag || isatty(STDERR_FILENO) == 1)
        let progress = showProgress ? TerminalProgress() : nil
        let logger = output.logger(progress: progress)
        let options = try lua.options(environment: environment, script: script, arguments: arguments)
        let launcher = SandboxLauncher(logger: logger)
        let mode: SandboxMode
        if sandbox && !dryRun {
            mode = .running(try await launcher.start(notice: nil))
        } else if !Run.hasCredentials(environment) {
            mode = .onDemand { try await launcher.start(notice: "no credentials set: using the built-in sandbox at") }
        } else {
            mode = .off
        }
        let interrupts = Interrupts()
        interrupts.install()
        interrupts.watch(callbackLimit: options.callbackTimeout)
        interrupts.stop(after: timeout)
        var settings = RunSettings(dryRun: dryRun, fresh: fresh, journalDirectory: ".roster/journal",
                                   scriptHash: ScriptRun.scriptHash(script), progress: progress, interrupted: interrupts.state,
                                   killAfter: environment["ROSTER_TEST_KILL_AFTER"], temporary: interrupts.temporary)
        settings.resultsFile = results
        settings.parallel = parallel
        let outcome = try await ScriptRun(script: script, arguments: arguments, options: options, logger: logger,
                                          environment: environment, mode: mode, settings: settings, interrupts: interrupts,
                                          transport: transport).run()
        progress?.finish()
        await launcher.stop()
        if dryRun && !output.json {
            if outcome.checks.isEmpty {
                FileHandle.standardError.write(Data("roster check: no job ran (jobs are roster.job{...}, og:import and wh:import)\n".utf8))
            } else {
                print(outcome.checks.joined(separator: "\n\n"))
                print("\nroster check: nothing was sent")
                if outcome.exitCode == 0 {
                    print("to import: roster run \(([script] + arguments).map(Self.shellQuoted).joined(separator: " "))")
                }
            }
        }
        if !output.quiet {
            for line in outcome.summary { FileHandle.standardError.write(Data("roster: \(line)\n".utf8)) }
        }
        if output.json { print(outcome.json) }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
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
            // The built-in sandbox keeps its state in .roster/sandbox, so a job's journal can resume against it.
            sandbox = try await SandboxServer(configuration: SandboxConfiguration(dataDirectory: ".roster/sandbox")).start()
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
