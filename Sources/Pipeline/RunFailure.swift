import Transport

/// What kind of failure ended a run or a job; each maps to one exit code (docs/design.md).
public enum FailureClass: String, Sendable, Codable {
    /// A script or plugin error (exit 1).
    case script
    /// A usage error or unusable settings: unknown option, missing file, missing credentials (exit 2).
    case usage
    /// More rejected rows than `options.max_rejects` allows (exit 3).
    case rejectLimit = "reject_limit"
    /// The remote API refused: authentication, validation (exit 4).
    case refused
    /// The remote service could not be reached after retries (exit 5).
    case transport
    /// SIGINT (exit 130).
    case interrupted
    /// SIGTERM (exit 143).
    case terminated
    /// The run passed its `--timeout` (exit 124, as coreutils' `timeout`).
    case timedOut = "timeout"

    /// The process exit code for this kind of failure.
    public var exitCode: Int32 {
        switch self {
        case .script: return 1
        case .usage: return 2
        case .rejectLimit: return 3
        case .refused: return 4
        case .transport: return 5
        case .interrupted: return 130
        case .terminated: return 143
        case .timedOut: return 124
        }
    }

    /// Why a run was stopped from outside, for messages: Ctrl-C, SIGTERM or the run's own timeout.
    public var stopReason: String {
        switch self {
        case .interrupted: return "interrupted (Ctrl-C)"
        case .timedOut: return "stopped: the run passed its --timeout"
        default: return "terminated (SIGTERM)"
        }
    }

    /// The class of a client failure kind.
    public init(_ kind: FailureKind) {
        switch kind {
        case .refused: self = .refused
        case .unavailable: self = .transport
        case .configuration: self = .usage
        }
    }

    /// The class of any error: typed job and client errors by their type, anything else a script error.
    public init(of error: any Error) {
        switch error {
        case let job as JobError: self = job.failure
        case let classified as any ClassifiedFailure: self.init(classified.failureKind)
        default: self = .script
        }
    }
}

/// Why a job stopped, with the stage it stopped in; carried through Lua unchanged (by type).
public struct JobError: Error, Sendable, CustomStringConvertible {
    public var failure: FailureClass
    /// `read`, `transform`, `check`, `upload`, `import`, `settle`, or a hook's name.
    public var stage: String
    public var message: String
    /// The error that caused it (a client error, a hook's script error), when there is one.
    public var underlying: (any Error)?

    public init(_ failure: FailureClass, stage: String, _ message: String, underlying: (any Error)? = nil) {
        self.failure = failure
        self.stage = stage
        self.message = message
        self.underlying = underlying
    }

    /// Wraps an error raised during `stage`, keeping its class (a typed error keeps its own stage).
    public static func wrapping(_ error: any Error, stage: String) -> JobError {
        if let job = error as? JobError { return job }
        return JobError(FailureClass(of: error), stage: stage, String(describing: error), underlying: error)
    }

    public var description: String { message }
}

/// The failure recorded in a run report: `{"kind","stage","message"}` in `--json`.
public struct RunFailure: Sendable, Equatable, Codable {
    public var kind: FailureClass
    public var stage: String?
    public var message: String

    public init(kind: FailureClass, stage: String?, message: String) {
        self.kind = kind
        self.stage = stage
        self.message = message
    }

    /// The failure of `error`, with `message` as shown to the user (e.g. with the script position).
    public init(error: any Error, message: String? = nil) {
        let job = error as? JobError
        self.init(kind: FailureClass(of: error), stage: job?.stage, message: message ?? String(describing: error))
    }
}
