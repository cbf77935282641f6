import Foundation
import Logging

/// How a sandbox serves: port, storage folder, strictness switches, rate limits and faults.
public struct SandboxConfiguration: Sendable {
    /// TCP port on 127.0.0.1; 0 picks a free one (read it back from `RunningSandbox`).
    public var port: Int = 0
    /// Folder for uploaded objects and resources; `nil` uses a temporary folder removed on stop.
    public var dataDirectory: String?

    /// Omnigage: answer 401 when `X-Account-Key` is missing (the docs leave it unconfirmed; strict by default).
    public var omnigageRequireAccountKey = true
    /// Omnigage: lifetime of an upload form (the recordings show one hour).
    public var uploadLifetime: TimeInterval = 3600
    /// Omnigage: `max-length-in-bytes` and the policy's content-length-range upper bound.
    public var uploadMaxLength: Int64 = 5_368_724_480
    /// Omnigage: GETs of an import needed per status step (`queued` -> `in-progress` -> `completed`).
    public var importPollsPerStep = 1
    /// Omnigage: when set, an import also moves on one status step per this many seconds since creation
    /// (checked on each GET), so slow pollers see it complete.
    public var importSecondsPerStep: TimeInterval?

    /// Whispir: also require the `apikey` query parameter (the 2018 gateway rule), not only `x-api-key`.
    public var whispirRequireQueryAPIKey = false
    /// Whispir: request size limit in bytes (the spec's 413 text names 10,485,760).
    public var whispirMaxRequestBytes = 10_485_760
    /// Whispir: requests per second per key; `nil` switches the limit off.
    public var whispirQueriesPerSecond: Int?
    /// Whispir: requests per day per key; `nil` switches the quota off.
    public var whispirQueriesPerDay: Int?
    /// Whispir: answer over-limit requests with 429 instead of the legacy 403 + `X-Error-Code`.
    public var whispirRateLimitUses429 = false
    /// Whispir: reject an import whose mapping names a column the resource lacks (the docs say such
    /// a column silently yields blanks; strict catches mapping mistakes early).
    public var whispirRequireMappedColumns = true

    /// Faults armed from the start (more can be added at run time).
    public var faults: [FaultRule] = []

    /// Where the server logs go; `nil` discards them (stdout stays clean for `--json`).
    public var logger: Logger?

    /// The clock the policy expiry and rate limits read; replace it in tests.
    public var now: @Sendable () -> Date = { Date() }

    /// Defaults: a free port, memory plus a temporary folder, strict checks, no limits, no faults.
    public init(port: Int = 0, dataDirectory: String? = nil) {
        self.port = port
        self.dataDirectory = dataDirectory
    }
}
