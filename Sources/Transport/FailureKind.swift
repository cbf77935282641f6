/// How a failure should end a run, so the executable can pick its exit code without knowing every
/// error type: 4 for ``refused``, 5 for ``unavailable``, 2 for ``configuration``.
public enum FailureKind: Sendable, Equatable {
    /// The remote side understood and refused (auth, validation, quota): exit 4.
    case refused
    /// The remote side could not be reached or stayed unavailable after retries: exit 5.
    case unavailable
    /// Local input or settings are unusable (missing credentials, unreadable file, bad URL): exit 2.
    case configuration
}

/// An error that knows its ``FailureKind``.
public protocol ClassifiedFailure: Error {
    /// How the failure should end the run.
    var failureKind: FailureKind { get }
}

extension FailureKind {
    /// The kind for an HTTP error status that survived the retries: 429 and 5xx mean unavailable.
    public static func forStatus(_ status: Int) -> FailureKind {
        status == 429 || status >= 500 ? .unavailable : .refused
    }
}

extension TransportError: ClassifiedFailure {
    /// How this failure should end the run.
    public var failureKind: FailureKind {
        switch self {
        case .insecureURL, .invalidURL: return .configuration
        case .connectionFailed, .requestFailed, .responseTooLarge, .shutDown: return .unavailable
        }
    }
}

extension S3UploadError: ClassifiedFailure {
    /// How this failure should end the run.
    public var failureKind: FailureKind {
        switch self {
        case .fileUnreadable, .fileChanged, .fileTooLarge, .unsupportedMethod: return .configuration
        case .formExpired: return .refused
        case .rejected(let status, _, _, _, _): return FailureKind.forStatus(status)
        }
    }
}
