import Foundation
import Hummingbird

/// Everything one sandbox serves, and the dispatch from a request path to the vendor it emulates.
final class SandboxServices: Sendable {
    let configuration: SandboxConfiguration
    let objects: ObjectStore
    let omnigage: OmnigageState
    let whispir: WhispirState
    let faults: FaultInjector
    /// Vendor requests seen (`/_sandbox/stats`); the creation counts live with the state that creates.
    let requests = RequestCounter()
    let port: @Sendable () -> Int
    /// The data folder whose `sandbox.json` is kept current (`nil` when serving from memory).
    let persistentFolder: URL?
    private let autosave = Autosave()
    private let running: LockedBox<(done: Bool, error: (any Error)?, waiters: [CheckedContinuation<Void, any Error>])>

    init(configuration: SandboxConfiguration, folder: URL, persistent: Bool, port: @escaping @Sendable () -> Int) {
        self.configuration = configuration
        self.port = port
        persistentFolder = persistent ? folder : nil
        objects = ObjectStore(folder: folder)
        omnigage = OmnigageState(pollsPerStep: configuration.importPollsPerStep, secondsPerStep: configuration.importSecondsPerStep,
                                 folder: folder)
        whispir = WhispirState(folder: folder, configuration: configuration)
        faults = FaultInjector(rules: configuration.faults)
        running = LockedBox((false, nil, []))
    }

    var rootURL: String { "http://127.0.0.1:\(port())" }

    // MARK: start-up signal

    func signalRunning(_ error: (any Error)?) {
        let waiters = running.withLockedValue { state -> [CheckedContinuation<Void, any Error>] in
            guard !state.done else { return [] }
            state.done = true
            state.error = error
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }

    func waitUntilRunning() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = running.withLockedValue { state -> Result<Void, any Error>? in
                guard state.done else {
                    state.waiters.append(continuation)
                    return nil
                }
                if let error = state.error { return .failure(error) }
                return .success(())
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    // MARK: dispatch

    var s3: S3PostEndpoint {
        S3PostEndpoint(store: objects, bucket: SandboxCredentials.s3Bucket, accessKeyID: SandboxCredentials.s3AccessKeyID,
                       secret: SandboxCredentials.s3SecretAccessKey,
                       baseURL: { [port] in "http://127.0.0.1:\(port())/s3/\(SandboxCredentials.s3Bucket)/" },
                       now: configuration.now)
    }

    var omnigageAPI: OmnigageAPI {
        OmnigageAPI(state: omnigage, store: objects, configuration: configuration,
                    s3URL: { [port] in "http://127.0.0.1:\(port())/s3/\(SandboxCredentials.s3Bucket)/" },
                    rootURL: { [port] in "http://127.0.0.1:\(port())" })
    }

    var whispirAPI: WhispirAPI {
        WhispirAPI(state: whispir, configuration: configuration, baseURL: { [port] in "http://127.0.0.1:\(port())/whispir" })
    }

    // MARK: stats

    /// Requests and creations since start or the last `resetStats()`, plus the objects held now.
    func stats() async -> SandboxStats {
        let seen = await requests.counts()
        let omnigageCounts = await omnigage.creationCounts()
        let s3Counts = await objects.counts()
        let whispirCounts = await whispir.creationCounts()
        return SandboxStats(
            requests: seen.total,
            omnigage: SandboxStats.Omnigage(requests: seen.omnigage, uploadsCreated: omnigageCounts.uploads, importsCreated: omnigageCounts.imports,
                                            rowsImported: omnigageCounts.rows, contacts: omnigageCounts.contacts),
            s3: SandboxStats.S3(requests: seen.s3, posts: s3Counts.committed, objectsStored: s3Counts.stored),
            whispir: SandboxStats.Whispir(requests: seen.whispir, resourcesCreated: whispirCounts.resources, importsCreated: whispirCounts.imports),
            faultsInjected: await faults.injected)
    }

    /// Zeroes the request and creation counters; uploads, imports, objects and resources stay.
    func resetStats() async {
        await requests.reset()
        await omnigage.resetCounters()
        await objects.resetCounters()
        await whispir.resetCounters()
    }

    /// Writes `sandbox.json` now.
    func saveState() async throws {
        guard let persistentFolder else { return }
        try await SandboxSnapshot.capture(self).write(to: persistentFolder)
    }

    /// Stops autosaving (the final save is the caller's).
    func stopAutosave() async { await autosave.stop() }

    /// Routes one request; with a data folder, the state is saved shortly after (coalesced), so a crash loses little.
    func respond(to request: Request, dropConnection: @Sendable () -> Void) async -> Response {
        let response = await route(request, dropConnection: dropConnection)
        if persistentFolder != nil, request.uri.path.hasPrefix("/_sandbox") == false {
            await autosave.schedule { [weak self] in try? await self?.saveState() }
        }
        return response
    }

    private func route(_ request: Request, dropConnection: @Sendable () -> Void) async -> Response {
        let segments = request.pathSegments
        let path = "/" + segments.joined(separator: "/")
        if segments.first == "_sandbox" { return await admin(request, segments: Array(segments.dropFirst())) }
        // Counted before faults and credentials: a refused or faulted request was still sent.
        await requests.count(vendor: segments.first)
        if let fault = await faults.take(method: request.method.rawValue, path: path) {
            if case let .delay(milliseconds) = fault {
                try? await Task.sleep(for: .milliseconds(milliseconds))
            } else if case .drop = fault {
                dropConnection()
                return Reply.empty(500)
            } else if case .dropAfterHandling = fault {
                _ = await dispatch(request, segments: segments, path: path)
                dropConnection()
                return Reply.empty(500)
            } else {
                do { for try await _ in request.body {} } catch {}
                return faultResponse(fault, vendor: segments.first ?? "")
            }
        }
        return await dispatch(request, segments: segments, path: path)
    }

    /// The vendor route for a request that passed the faults.
    private func dispatch(_ request: Request, segments: [String], path: String) async -> Response {
        switch segments.first {
        case "omnigage":
            if segments.count >= 3, segments[1] == "api", segments[2] == "v1" {
                return await omnigageAPI.handle(request, segments: Array(segments.dropFirst(3)))
            }
            if segments.count == 3, segments[1] == "files", request.method == .get {
                return await omnigageAPI.download(fileID: segments[2])
            }
            return OmnigageAPI.error(404, "No such path \(path).")
        case "s3":
            guard segments.count == 2 else {
                return s3.errorResponse(S3Error(status: segments.count < 2 ? 404 : 405, code: segments.count < 2 ? "NoSuchBucket" : "MethodNotAllowed",
                                                message: "The sandbox bucket only accepts POST uploads at /s3/<bucket>/."), "0")
            }
            guard request.method == .post else {
                return s3.errorResponse(S3Error(status: 405, code: "MethodNotAllowed",
                                                message: "The specified method is not allowed against this resource."), "0")
            }
            return await s3.handle(request, bucket: segments[1])
        case "whispir":
            return await whispirAPI.handle(request, segments: Array(segments.dropFirst()))
        default:
            return Reply.make(status: 404, contentType: "text/plain",
                              body: "Roster sandbox: /omnigage/api/v1, /s3/\(SandboxCredentials.s3Bucket)/, /whispir, /_sandbox/faults, /_sandbox/stats\n")
        }
    }

    private func faultResponse(_ fault: FaultKind, vendor: String) -> Response {
        let (status, retryAfter): (Int, String?) = switch fault {
        case let .status(code, after): (code, after)
        case .delay, .drop, .dropAfterHandling: (500, nil)
        }
        let headers = retryAfter.map { [("Retry-After", $0)] } ?? []
        let text = "Injected fault: \(status)"
        switch vendor {
        case "s3":
            let code = status == 500 ? "InternalError" : "SlowDown"
            return Reply.make(status: status, contentType: "application/xml",
                              body: S3Error(status: status, code: code, message: text).xml(requestID: "FAULT"), headers: headers)
        case "whispir":
            return Reply.json(status, WhispirAPI.errorBody(summary: text, text: HTTPResponse.Status(code: status).reasonPhrase, detail: ""),
                              headers: headers)
        default:
            return Reply.json(status, .object([("errors", .array([.object([("detail", .string(text)), ("code", .int(status))])]))]),
                              headers: headers)
        }
    }

    /// `/_sandbox/faults` and `/_sandbox/stats`; never counted as requests.
    private func admin(_ request: Request, segments: [String]) async -> Response {
        switch segments {
        case ["faults"]: return await faultsAdmin(request)
        case ["stats"]: return await statsAdmin(request)
        default: return Reply.make(status: 404, contentType: "text/plain", body: "unknown admin path\n")
        }
    }

    /// `/_sandbox/stats`: GET the counts (`SandboxStats.json`), DELETE to zero the counters (stored data is kept).
    private func statsAdmin(_ request: Request) async -> Response {
        switch request.method {
        case .get:
            return Reply.json(200, await stats().json)
        case .delete:
            await resetStats()
            return Reply.empty(204)
        default:
            return Reply.empty(405, headers: [("Allow", "GET, DELETE")])
        }
    }

    /// `/_sandbox/faults`: POST a rule (JSON), GET the armed rules, DELETE to clear them.
    private func faultsAdmin(_ request: Request) async -> Response {
        switch request.method {
        case .post:
            guard let bytes = try? await request.body.collectBytes(limit: 64 * 1024), let json = try? JSONValue.parse(bytes),
                  let rule = FaultInjector.rule(from: json) else {
                return Reply.make(status: 400, contentType: "text/plain",
                                  body: "expected {\"path\": \"/…\", \"kind\": \"429|500|503|delay|drop\", \"count\": N, \"retryAfter\": S, \"delayMs\": MS, \"method\": \"POST\"}\n")
            }
            await faults.arm(rule)
            return Reply.empty(204)
        case .delete:
            await faults.clear()
            return Reply.empty(204)
        case .get:
            let rules = await faults.armed()
            return Reply.json(200, .array(rules.map { rule in
                .object([("path", .string(rule.pathPrefix)), ("method", rule.method.map(JSONValue.string) ?? .null),
                         ("kind", .string(String(describing: rule.kind))), ("count", .int(rule.count))])
            }))
        default:
            return Reply.empty(405)
        }
    }
}

/// Coalesces saves: at most one pending, run a moment after the first change.
actor Autosave {
    private var pending = false
    private var stopped = false

    func schedule(_ save: @escaping @Sendable () async -> Void) {
        guard !pending, !stopped else { return }
        pending = true
        Task {
            try? await Task.sleep(for: .milliseconds(250))
            if self.begin() { await save() }
        }
    }

    private func begin() -> Bool {
        pending = false
        return !stopped
    }

    func stop() { stopped = true }
}
