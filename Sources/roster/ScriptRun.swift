import Bindings
import Foundation
import Logging
import LuaRuntime
import Pipeline
import Transport

/// What a finished run hands back to the command: the exit code and what to print.
struct RunOutcome: Sendable {
    var exitCode: Int32
    /// The `--json` line.
    var json: String
    /// The human summary lines (stderr).
    var summary: [String]
    /// `roster check`'s reports, as text (the `--json` line holds them under `check`).
    var checks: [String]
}

/// Runs one script for `roster run` and `roster check`: the script thread, the report, the summary.
struct ScriptRun {
    var script: String
    var arguments: [String]
    var options: LuaOptions
    var logger: Logger
    var environment: [String: String]
    var mode: SandboxMode
    var settings: RunSettings
    var interrupts: Interrupts
    var transport = TransportConfiguration()

    /// Runs the script (and the job it returns) on its own thread; every failure ends in the report.
    func run() async throws -> RunOutcome {
        let (script, arguments, options, logger, environment, mode, settings, interrupts, transport) =
            (self.script, self.arguments, self.options, logger, environment, mode, settings, interrupts, self.transport)
        return try await Blocking.runOnScriptThread { () -> RunOutcome in
            let report = RunReport()
            let context = RosterContext(logger: logger, environment: environment, sandbox: mode, transport: transport,
                                        report: report, settings: settings)
            do {
                let host = try ScriptHost(options: options, context: context)
                interrupts.attach(host.state.stopHandle)
                defer { interrupts.detach() }
                try host.run(script: script, arguments: arguments)
            } catch let error as LuaError {
                if let exit = error.underlying as? ScriptExit {
                    report.requestedExit = exit.code
                } else if let signal = interrupts.state(), !(error.underlying is JobError) {
                    // Stopped by Ctrl-C or SIGTERM inside Lua code: say where.
                    report.fail(RunFailure(kind: signal, stage: "script", message: "\(signal.stopReason) at \(error.message)"))
                } else {
                    let cause: any Error = error.underlying ?? error
                    report.fail(RunFailure(kind: error.underlying.map { FailureClass(of: $0) } ?? Self.failureClass(error),
                                           stage: (cause as? JobError)?.stage, message: error.message))
                    Self.print(error)
                }
            } catch let exit as ScriptExit {
                report.requestedExit = exit.code
            } catch {
                report.fail(RunFailure(error: error))
                FileHandle.standardError.write(Data("roster: \(error)\n".utf8))
            }
            for (path, records) in report.unaccounted {
                logger.warning("\(records) record(s) of \(path) were read but neither sent, skipped nor rejected")
            }
            let checks = report.checks
            return RunOutcome(exitCode: report.exitCode, json: report.json(), summary: report.summaryLines(), checks: checks.map(\.text))
        }
    }

    /// A script error that carries no typed error: a missing script is a usage error, the rest script errors.
    static func failureClass(_ error: LuaError) -> FailureClass {
        error.kind == .file ? .usage : .script
    }

    /// `roster: file:line: message` plus a short traceback.
    static func print(_ error: LuaError) {
        var text = "roster: \(error.message)\n"
        if error.underlying == nil || error.underlying is LuaError, let tb = error.shortTraceback { text += tb + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The hash of the script's content (part of each job's identity); empty when it cannot be read.
    static func scriptHash(_ path: String) -> String {
        (try? ContentHash.of(file: path)) ?? ""
    }
}

/// SIGINT and SIGTERM: the first one asks the run to stop at the next row batch or stage (the
/// journal stays consistent); if it has not stopped 3 s later, or on a second signal, the process exits.
final class Interrupts: @unchecked Sendable {
    /// Removed before any hard exit, so no contact file outlives the run.
    let temporary = TemporaryFolders()
  // `received`, `lua` and `watchdog` are guarded by `lock`; `sources` is set once before signals arrive
    private let lock = NSLock()
    private var received: FailureClass?
    private var sources: [any DispatchSourceSignal] = []
    private var lua: LuaStopHandle?
    private var watchdog: (any DispatchSourceTimer)?

    /// The Lua state to stop on a signal (while it lives).
    func attach(_ handle: LuaStopHandle) {
        lock.withLock {
            lua = handle
            if received != nil { handle.stop() }
        }
    }

    func detach() { lock.withLock { lua = nil } }

    /// The watchdog: the count hook stops a callback that runs too long, but not one stuck inside a C
    /// function (a catastrophic string pattern). Past `limit` plus a grace, the run ends here.
    func watch(callbackLimit limit: Double, grace: Double = 2) {
        guard limit > 0 else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { [self] in
            let seconds = lock.withLock { lua?.callbackSeconds ?? 0 }
            guard seconds > limit + grace else { return }
            FileHandle.standardError.write(Data(("roster: a callback has run for \(Int(seconds)) s, past the \(Int(limit)) s limit, inside a C "
                + "function the instruction budget cannot stop (a catastrophic string pattern?); the run ends here, the journal keeps "
                + "what was done (raise the limit with --callback-timeout)\n").utf8))
            temporary.removeAll()
            Foundation.exit(FailureClass.script.exitCode)
        }
        timer.resume()
        lock.withLock { watchdog = timer }
    }

    /// The whole run's wall-clock limit: past `seconds`, the run stops as on SIGTERM (exit 124); 0 = none.
    func stop(after seconds: Double) {
        guard seconds > 0 else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            _ = requestStop(.timedOut, saying: "the run passed its --timeout of \(Self.seconds(seconds)); stopping (the journal keeps what was done; a re-run resumes)")
        }
    }

    /// Asks the run to stop for `kind` (Lua stopped at its next hook step, remote stages at their next
    /// checkpoint) and exits after a 3 s grace whatever happens; false when a stop was already asked for.
    private func requestStop(_ kind: FailureClass, saying message: String) -> Bool {
        let first = lock.withLock { () -> Bool in
            defer { if received == nil { received = kind } }
            lua?.stop()
            return received == nil
        }
        guard first else { return false }
        FileHandle.standardError.write(Data("\nroster: \(message)\n".utf8))
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { [temporary] in
            temporary.removeAll()
            Foundation.exit(kind.exitCode)
        }
        return true
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    func install() {
        for (number, kind) in [(SIGINT, FailureClass.interrupted), (SIGTERM, FailureClass.terminated)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let message = "\(kind == .interrupted ? "interrupted" : "terminated"); stopping (the journal keeps what was done)"
                // A second signal exits at once.
                if !requestStop(kind, saying: message) { temporary.removeAll(); Foundation.exit(kind.exitCode) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// What was received, if anything.
    var state: @Sendable () -> FailureClass? {
        { [self] in lock.withLock { received } }
    }
}

/// The progress line on stderr: stage, rows read, rows/s, bytes uploaded, elapsed; redrawn at most
/// 10 times a second, cleared at the end.
final class TerminalProgress: ProgressSink, @unchecked Sendable {  // all state is guarded by `lock`
    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    func update(stage: String, rows: Int, bytes: Int64) {
        lock.withLock {
            let now = ContinuousClock.now
            if let lastDraw, now - lastDraw < .milliseconds(100) { return }
            lastDraw = now
            let seconds = max(0.001, Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds))
            var line = "\(stage): \(rows) rows read"
            if stage == "transform" { line += ", \(Int(Double(rows) / seconds)) rows/s" }
            if bytes > 0 { line += ", \(Self.size(bytes)) uploaded" }
            line += String(format: ", %.1f s", seconds)
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            drawn = true
        }
    }

    /// Runs `write` (a log line) with the progress line cleared first; the next update draws it again.
    func interrupt(_ write: () -> Void) {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
            lastDraw = nil
            write()
        }
    }

    /// Clears the line before the summary is printed.
    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f KB", Double(bytes) / 1024)
    }
}
