import Foundation
import Logging
import LuaRuntime
import Transport

/// Where every client goes when the run uses the local sandbox, and the credentials it accepts
/// (public constants: the sandbox listens on loopback only).
public struct SandboxTarget: Sendable {
    /// Omnigage API base, e.g. `http://127.0.0.1:PORT/omnigage/api/v1`.
    public var omnigageBaseURL: String
    /// Omnigage account key, token key and token secret the sandbox accepts.
    public var omnigageAccount: String, omnigageKey: String, omnigageSecret: String
    /// Whispir API base, e.g. `http://127.0.0.1:PORT/whispir`.
    public var whispirBaseURL: String
    /// Whispir API key, user and password the sandbox accepts.
    public var whispirAPIKey: String, whispirUsername: String, whispirPassword: String

    /// Creates a target from the sandbox's URLs and credentials.
    public init(omnigageBaseURL: String, omnigageAccount: String, omnigageKey: String, omnigageSecret: String,
                whispirBaseURL: String, whispirAPIKey: String, whispirUsername: String, whispirPassword: String) {
        self.omnigageBaseURL = omnigageBaseURL
        self.omnigageAccount = omnigageAccount
        self.omnigageKey = omnigageKey
        self.omnigageSecret = omnigageSecret
        self.whispirBaseURL = whispirBaseURL
        self.whispirAPIKey = whispirAPIKey
        self.whispirUsername = whispirUsername
        self.whispirPassword = whispirPassword
    }

    /// The `OMNIGAGE_*` / `WHISPIR_*` variables that point a client at this target.
    public var environment: [String: String] {
        ["OMNIGAGE_BASE_URL": omnigageBaseURL, "OMNIGAGE_ACCOUNT_KEY": omnigageAccount, "OMNIGAGE_KEY": omnigageKey,
         "OMNIGAGE_SECRET": omnigageSecret, "WHISPIR_BASE_URL": whispirBaseURL, "WHISPIR_API_KEY": whispirAPIKey,
         "WHISPIR_USERNAME": whispirUsername, "WHISPIR_PASSWORD": whispirPassword]
    }
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
/// when the run ends), the sandbox when used, and the failures clients raised (for exit codes).
public final class ClientSession {
    let logger: Logger
    let transportConfiguration: TransportConfiguration
    private var mode: SandboxMode
    private var transport: HTTPTransport?
    private var failures: [(text: String, kind: FailureKind)] = []
    /// Imports created during this run, in order, with the latest status seen (for the run summary).
    public private(set) var imports: [RunImport] = []

    /// Creates a session; nothing is connected or started until a client needs it.
    public init(logger: Logger, sandbox: SandboxMode = .off, transport: TransportConfiguration = TransportConfiguration()) {
        self.logger = logger
        self.mode = sandbox
        self.transportConfiguration = transport
    }

    /// The run's transport, created on first use.
    func httpTransport() -> HTTPTransport {
        if let transport { return transport }
        let created = HTTPTransport(configuration: transportConfiguration, logger: logger)
        transport = created
        return created
    }

    /// The sandbox every client must use, starting it if it is started on demand; nil for real vendors.
    func sandboxTarget() throws -> SandboxTarget? {
        switch mode {
        case .off: return nil
        case .running(let target): return target
        case .onDemand(let start):
            let target = try AsyncBridge.wait { try await start() }
            mode = .running(target)
            return target
        }
    }

    /// Records an import created (or its newer status) for the run summary.
    func recordImport(target: String, id: String, status: String?) {
        let status = status ?? "unknown"
        if let i = imports.firstIndex(where: { $0.target == target && $0.id == id }) {
            imports[i].status = status
        } else {
            imports.append(RunImport(target: target, id: id, status: status))
        }
    }

    /// Shuts the transport down (blocking the calling script thread); a later client use makes a new one.
    public func shutdown() {
        guard let transport else { return }
        self.transport = nil
        _ = try? AsyncBridge.wait { try await transport.shutdown() }
    }

    /// Runs an async client call from the script thread; a classified failure is remembered so the
    /// run's exit code can tell a vendor refusal (4) or an unreachable service (5) from a script error.
    func perform<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        do {
            return try AsyncBridge.wait(operation)
        } catch {
            throw note(error)
        }
    }

    /// Remembers `error` when it knows its failure kind; returns it.
    func note(_ error: any Error) -> any Error {
        if let classified = error as? any ClassifiedFailure {
            failures.append((String(describing: error), classified.failureKind))
        }
        return error
    }

    /// The failure kind of the client error a script error carries (its message contains the client's), if any.
    public func failureKind(of error: LuaError) -> FailureKind? {
        failures.last { error.message.contains($0.text) }?.kind
    }
}

/// One import a run created: which vendor, its id, and the last status seen.
public struct RunImport: Sendable, Equatable {
    public var target: String
    public var id: String
    public var status: String
}
