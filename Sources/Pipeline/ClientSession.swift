import Foundation
import Logging
import Transport

/// Where every client goes when the run uses the local sandbox: the variables (base URLs and the
/// public credentials the sandbox accepts) that override the environment for every target.
public struct SandboxTarget: Sendable {
    /// `OMNIGAGE_BASE_URL`, `WHISPIR_API_KEY`, ... as the sandbox wants them.
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The variables for the Omnigage and Whispir emulators.
    public init(omnigageBaseURL: String, omnigageAccount: String, omnigageKey: String, omnigageSecret: String,
                whispirBaseURL: String, whispirAPIKey: String, whispirUsername: String, whispirPassword: String) {
        environment = [
            "OMNIGAGE_BASE_URL": omnigageBaseURL, "OMNIGAGE_ACCOUNT_KEY": omnigageAccount, "OMNIGAGE_KEY": omnigageKey,
            "OMNIGAGE_SECRET": omnigageSecret, "WHISPIR_BASE_URL": whispirBaseURL, "WHISPIR_API_KEY": whispirAPIKey,
            "WHISPIR_USERNAME": whispirUsername, "WHISPIR_PASSWORD": whispirPassword, "WHISPIR_REGION": "",
        ]
    }

    /// Where clients point in `roster check`, which sends nothing: a loopback port nothing listens on.
    public static let simulated = SandboxTarget(
        omnigageBaseURL: "http://127.0.0.1:9/omnigage/api/v1", omnigageAccount: "check", omnigageKey: "check", omnigageSecret: "check",
        whispirBaseURL: "http://127.0.0.1:9/whispir", whispirAPIKey: "check", whispirUsername: "check", whispirPassword: "check")
}

/// Whether a run's clients talk to the vendors or to a sandbox, and when that sandbox starts.
public enum SandboxMode: Sendable {
    /// Real vendors, as configured by the environment or the script.
    case off
    /// A sandbox already serving: every client goes there.
    case running(SandboxTarget)
    /// A sandbox started on the first client use (so scripts that send nothing start nothing).
    case onDemand(@Sendable () async throws -> SandboxTarget)
}

/// The remote side of one script run: the single HTTP transport (created on first use, shut down
/// when the run ends) and the sandbox when used. In a check (`simulated`) nothing is ever sent.
public final class ClientSession {
    public let logger: Logger
    let transportConfiguration: TransportConfiguration
    private var mode: SandboxMode
    private var transport: HTTPTransport?
    /// `roster check`: low-level remote calls are refused, jobs are simulated.
    public let simulated: Bool

    /// Creates a session; nothing is connected or started until a client needs it.
    public init(logger: Logger, sandbox: SandboxMode = .off, transport: TransportConfiguration = TransportConfiguration(),
                simulated: Bool = false) {
        self.logger = logger
        self.mode = sandbox
        self.transportConfiguration = transport
        self.simulated = simulated
    }

    /// The run's transport, created on first use.
    public func httpTransport() -> HTTPTransport {
        if let transport { return transport }
        let created = HTTPTransport(configuration: transportConfiguration, logger: logger)
        transport = created
        return created
    }

    /// The sandbox every client must use, starting it if it is started on demand; nil for real vendors.
    public func sandboxTarget() throws -> SandboxTarget? {
        switch mode {
        case .off: return nil
        case .running(let target): return target
        case .onDemand(let start):
            if simulated { return .simulated }
            let target = try Blocking.wait { try await start() }
            mode = .running(target)
            return target
        }
    }

    /// Shuts the transport down (blocking the calling script thread); a later client use makes a new one.
    public func shutdown() {
        guard let transport else { return }
        self.transport = nil
        _ = try? Blocking.wait { try await transport.shutdown() }
    }

    /// Runs one low-level client call (`og:create_upload`...) from the script thread; refused in a check.
    public func perform<T: Sendable>(_ method: String, _ operation: @escaping @Sendable () async throws -> T) throws -> T {
        if simulated {
            throw JobError(.usage, stage: "check", "\(method) sends to the vendor: roster check simulates jobs only (roster.job, og:import, wh:import); use roster run")
        }
        return try Blocking.wait(operation)
    }
}
