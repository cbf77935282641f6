import Foundation
import Logging
import LuaRuntime
import Pipeline
import Transport

/// What the `roster` Lua module needs from its host: where to log, how to read the environment,
/// the run's client session (one HTTP transport, the sandbox when used), and the run's report and
/// settings (check or run, fresh or resumed).
public struct RosterContext {
    public var logger: Logger
    /// Environment lookup (injectable so tests control it).
    public var environment: [String: String]
    /// The clients' shared resources for this run.
    public let session: ClientSession
    /// The single record of what the run did.
    public let report: RunReport
    public let settings: RunSettings

    /// Creates a context; `sandbox` points every client at a sandbox (its variables become the environment's defaults).
    public init(logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment,
                sandbox: SandboxMode = .off, transport: TransportConfiguration = TransportConfiguration(),
                report: RunReport = RunReport(), settings: RunSettings = RunSettings()) {
        self.logger = logger
        var environment = environment
        if case .running(let target) = sandbox { environment.merge(target.environment) { _, sandbox in sandbox } }
        self.environment = environment
        self.session = ClientSession(logger: logger, sandbox: sandbox, transport: transport, simulated: settings.dryRun)
        self.report = report
        self.settings = settings
    }
}

/// `os.exit(code)` from a script: unwinds to the host, which ends the run with that code (and its summary).
public struct ScriptExit: Error, CustomStringConvertible {
    public var code: Int32
    public var description: String { "os.exit(\(code))" }
}

/// Installs the global `roster` table (also `require "roster"`) into a Lua state.
public final class RosterModule {
    public static let version = "0.1.0"

    let context: RosterContext
    let json: JSONCodec
    let jobs: JobBinding

    /// Installs the module into `state`; keep the returned module alive as long as the state.
    @discardableResult
    public static func install(into state: LuaState, context: RosterContext) throws -> RosterModule {
        let module = RosterModule(context: context, json: try JSONCodec(state: state), options: state.options)
        state.errorKind = { FailureClass(of: $0).rawValue }
        module.define(on: state.stack)
        return module
    }

    init(context: RosterContext, json: JSONCodec, options: LuaOptions) {
        self.context = context
        self.json = json
        jobs = JobBinding(runner: JobRunner(report: context.report, settings: context.settings), codec: json,
                          workers: WorkerSetup(options: options, logger: context.logger, environment: context.environment))
    }

    private func define(on stack: LuaStack) {
        stack.newTable()
        stack.push(Self.version)
        stack.setField("version", in: -2)

        // Scripts see the environment less the vendors' credentials (unless --unsafe): clients take them from the host.
        let hidden = stack.state.options.sandboxed ? Self.credentialVariables : []
        let environment: (String) -> String? = { [context] name in hidden.contains(name) ? nil : context.environment[name] }
        let getenv: (String) -> LuaFunction = { function in
            { s in
                guard let name = try s.optionalString(1, function: function) else {
                    throw s.argumentError(1, function: function, expected: "string")
                }
                if let v = environment(name) { s.push(v) } else { s.pushNil() }
                return 1
            }
        }
        stack.push(function: getenv("env"))
        stack.setField("env", in: -2)
        if stack.getGlobal("os") == .table {
            stack.push(function: getenv("getenv"))
            stack.setField("getenv", in: -2)
        }
        stack.pop()

        stack.newTable()
        for (name, level) in [("debug", Logger.Level.debug), ("info", .info), ("warn", .warning), ("error", .error)] {
            stack.push(function: { [context] s in
                let text = (1 ... max(1, s.top)).map { s.string(at: $0) ?? Self.describe(s, at: $0) }.joined(separator: " ")
                context.logger.log(level: level, "\(text)")
                return 0
            })
            stack.setField(name, in: -2)
        }
        stack.setField("log", in: -2)

        json.define(on: stack)
        stack.setField("json", in: -2)

        TableBinding.define(on: stack, into: stack.top, report: context.report, jobs: jobs)
        ToolkitBinding.define(on: stack, into: stack.top)
        jobs.define(on: stack, into: stack.top)
        OmnigageBinding.define(on: stack, into: stack.top, context: context, codec: json, jobs: jobs)
        WhispirBinding.define(on: stack, into: stack.top, context: context, codec: json, jobs: jobs)
        TargetBinding.define(on: stack, into: stack.top, context: context, codec: json, jobs: jobs, dedicated: ["omnigage", "whispir"])

        // os.exit unwinds to the host instead of ending the process, so the run still reports.
        if stack.getGlobal("os") == .table {
            stack.push(function: { s in
                let code: Int32
                switch s.type(at: 1) {
                case .none, .nil: code = 0
                case .boolean: code = s.boolean(at: 1) ? 0 : 1
                default: code = Int32(clamping: try s.checkInteger(1, function: "exit"))
                }
                throw ScriptExit(code: code)
            })
            stack.setField("exit", in: -2)
        }
        stack.pop()

        // roster is both a global and a loaded module.
        stack.pushCopy(of: -1)
        stack.setGlobal("roster")
        stack.getGlobal("package")
        stack.getField("loaded", in: -1)
        stack.pushCopy(of: -3)
        stack.setField("roster", in: -2)
        stack.pop(3)
    }

    /// Variables that hold vendor credentials: invisible to sandboxed scripts.
    static let credentialVariables: Set<String> = [
        "OMNIGAGE_KEY", "OMNIGAGE_SECRET", "WHISPIR_API_KEY", "WHISPIR_USERNAME", "WHISPIR_PASSWORD",
    ]

    static func describe(_ s: LuaStack, at index: Int32) -> String {
        switch s.type(at: index) {
        case .nil, .none: return "nil"
        case .boolean: return s.boolean(at: index) ? "true" : "false"
        default: return s.type(at: index).name
        }
    }
}
