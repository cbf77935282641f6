import Foundation
import Hummingbird
import Logging

/// The local emulator of Omnigage, S3 browser-POST and Whispir, served on 127.0.0.1 only.
///
/// ```swift
/// let sandbox = try await SandboxServer().start()      // port 0: a free port
/// print(sandbox.omnigageBaseURL)                        // http://127.0.0.1:PORT/omnigage/api/v1
/// await sandbox.stop()
/// ```
public struct SandboxServer: Sendable {
    /// How the server will serve (port, data folder, switches).
    public var configuration: SandboxConfiguration

    /// A server to `start()` or `run()`; nothing is bound until then.
    public init(configuration: SandboxConfiguration = SandboxConfiguration()) {
        self.configuration = configuration
    }

    /// Starts serving in the background and returns once the port is bound.
    public func start() async throws -> RunningSandbox {
        try await RunningSandbox.start(configuration: configuration)
    }

    /// Serves in the foreground until the calling task is cancelled (`roster sandbox`).
    /// `onReady` runs once the port is bound, e.g. to print the base URLs.
    public func run(onReady: @Sendable (RunningSandbox) async -> Void = { _ in }) async throws {
        let running = try await start()
        await onReady(running)
        await withTaskCancellationHandler {
            await running.waitUntilStopped()
        } onCancel: {
            running.requestStop()
        }
        await running.stop()
    }
}

/// Errors from starting the sandbox.
public enum SandboxError: Error, Sendable, CustomStringConvertible {
    case cannotCreateDataDirectory(String)
    case unreadableSnapshot(path: String, reason: String)
    case cannotSaveSnapshot(path: String, reason: String)
    case serverFailed(String)

    /// One line saying what went wrong.
    public var description: String {
        switch self {
        case let .cannotCreateDataDirectory(path): return "cannot create the sandbox data folder \(path)"
        case let .unreadableSnapshot(path, reason): return "cannot read the sandbox state \(path): \(reason)"
        case let .cannotSaveSnapshot(path, reason): return "cannot save the sandbox state \(path): \(reason)"
        case let .serverFailed(reason): return "the sandbox server could not start: \(reason)"
        }
    }
}

/// A sandbox that is serving: its URLs, run-time controls (faults) and inspection of what arrived.
public final class RunningSandbox: Sendable {
    /// The bound TCP port on 127.0.0.1.
    public let port: Int
    /// `http://127.0.0.1:PORT`.
    public var rootURL: String { "http://127.0.0.1:\(port)" }
    /// Base URL for the Omnigage client: `http://127.0.0.1:PORT/omnigage/api/v1`.
    public var omnigageBaseURL: String { rootURL + "/omnigage/api/v1" }
    /// Base URL for the Whispir client: `http://127.0.0.1:PORT/whispir`.
    public var whispirBaseURL: String { rootURL + "/whispir" }
    /// The emulated bucket's POST URL (what Omnigage's `request-url` points at), with trailing `/`.
    public var s3URL: String { rootURL + "/s3/\(SandboxCredentials.s3Bucket)/" }
    /// Admin endpoint for faults: `POST` a rule, `DELETE` to clear (see `FaultInjector.rule(from:)`).
    public var faultsURL: String { rootURL + "/_sandbox/faults" }
    /// Admin endpoint for request and creation counts: `GET` the JSON, `DELETE` to zero the counters (see `SandboxStats`).
    public var statsURL: String { rootURL + "/_sandbox/stats" }

    let services: SandboxServices
    private let task: Task<Void, Never>
    private let removeFolderOnStop: URL?
    private let stopped: LockedBox<Bool>

    private init(port: Int, services: SandboxServices, task: Task<Void, Never>, removeFolderOnStop: URL?) {
        self.port = port
        self.services = services
        self.task = task
        self.removeFolderOnStop = removeFolderOnStop
        self.stopped = LockedBox(false)
    }

    static func start(configuration: SandboxConfiguration) async throws -> RunningSandbox {
        let folder: URL
        var temporary: URL?
        if let path = configuration.dataDirectory {
            folder = URL(fileURLWithPath: path, isDirectory: true)
        } else {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-sandbox-\(UUID().uuidString)", isDirectory: true)
            temporary = folder
        }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw SandboxError.cannotCreateDataDirectory(folder.path)
        }
        let portBox = LockedBox(0)
        let services = SandboxServices(configuration: configuration, folder: folder, persistent: temporary == nil,
                                       port: { portBox.withLockedValue { $0 } })
        if temporary == nil {
            do {
                if let saved = try SandboxSnapshot.read(from: folder) { await saved.restore(into: services) }
            } catch {
                throw SandboxError.unreadableSnapshot(path: folder.appendingPathComponent(SandboxSnapshot.fileName).path, reason: "\(error)")
            }
        }
        let responder = CallbackResponder<SandboxRequestContext> { request, context in
            await services.respond(to: request, dropConnection: { context.channel.close(promise: nil) })
        }
        // Only loopback, ever: the credentials above are public.
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                portBox.withLockedValue { $0 = channel.localAddress?.port ?? 0 }
                services.signalRunning(nil)
            },
            logger: configuration.logger ?? Logger(label: "roster.sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let task = Task {
            do {
                try await app.run()
                services.signalRunning(SandboxError.serverFailed("the server stopped before it was running"))
            } catch {
                services.signalRunning(SandboxError.serverFailed(String(describing: error)))
            }
        }
        do {
            try await services.waitUntilRunning()
        } catch {
            task.cancel()
            await task.value
            if let temporary { try? FileManager.default.removeItem(at: temporary) }
            throw error
        }
        return RunningSandbox(port: portBox.withLockedValue { $0 }, services: services, task: task, removeFolderOnStop: temporary)
    }

    /// Stops serving and waits until the port is released; the state is saved to the data folder
    /// (a temporary folder is removed instead).
    public func stop() async {
        task.cancel()
        await task.value
        let first = stopped.withLockedValue { was in
            defer { was = true }
            return !was
        }
        guard first else { return }
        await services.stopAutosave()
        if let removeFolderOnStop { try? FileManager.default.removeItem(at: removeFolderOnStop) }
        try? await saveState()
    }

    /// Writes `sandbox.json` into the data folder now (also done shortly after each change, and on stop);
    /// no-op without a data folder.
    public func saveState() async throws {
        guard let persistentFolder = services.persistentFolder else { return }
        do { try await services.saveState() } catch {
            throw SandboxError.cannotSaveSnapshot(path: persistentFolder.appendingPathComponent(SandboxSnapshot.fileName).path,
                                                  reason: "\(error)")
        }
    }

    func requestStop() { task.cancel() }

    func waitUntilStopped() async { await task.value }

    // MARK: faults

    /// Arms a fault for the next `rule.count` matching requests.
    public func injectFault(_ rule: FaultRule) async { await services.faults.arm(rule) }

    /// Disarms every fault.
    public func clearFaults() async { await services.faults.clear() }

    /// How many faults have been served so far.
    public func injectedFaultCount() async -> Int { await services.faults.injected }

    /// Switches the Whispir per-second and per-day limits at run time (`nil` = off).
    public func setWhispirRateLimits(perSecond: Int?, perDay: Int?) async {
        await services.whispir.setLimits(perSecond: perSecond, perDay: perDay)
    }

    /// What `roster sandbox` prints: the base URLs and the credentials clients should use.
    public var summary: String {
        """
        Roster sandbox on 127.0.0.1:\(port)
          Omnigage  \(omnigageBaseURL)  key \(SandboxCredentials.omnigageTokenKey)  secret \(SandboxCredentials.omnigageTokenSecret)  account \(SandboxCredentials.omnigageAccountKey)
          S3 (POST) \(s3URL)
          Whispir   \(whispirBaseURL)  api key \(SandboxCredentials.whispirAPIKey)  user \(SandboxCredentials.whispirUsername)  password \(SandboxCredentials.whispirPassword)
          Faults    \(faultsURL)
          Stats     \(statsURL)
        """
    }

    // MARK: inspection

    /// What `GET /_sandbox/stats` answers: requests and creations since start or the last `resetStats()`.
    public func stats() async -> SandboxStats { await services.stats() }

    /// Zeroes the request and creation counters (`DELETE /_sandbox/stats`); the stored data stays.
    public func resetStats() async { await services.resetStats() }

    /// Objects the emulated S3 has stored, by key.
    public func s3Objects() async -> [StoredObject] { await services.objects.all() }

    /// Uploads handed out by the emulated Omnigage.
    public func omnigageUpload(id: String) async -> OmnigageUpload? { await services.omnigage.upload(id) }

    /// Imports created on the emulated Omnigage, oldest first.
    public func omnigageImports() async -> [OmnigageImport] { await services.omnigage.allImports() }

    /// Contacts the emulated Omnigage account holds after completed imports.
    public func omnigageContacts() async -> [OmnigageContact] { await services.omnigage.contacts() }

    /// Resources stored on the emulated Whispir (all workspaces).
    public func whispirResources() async -> [WhispirResource] { await services.whispir.allResources() }

    /// Imports accepted by the emulated Whispir, oldest first.
    public func whispirImports() async -> [WhispirImport] { await services.whispir.allImports() }

    /// The Whispir activity log (one entry per import), oldest first.
    public func whispirActivities() async -> [WhispirActivity] { await services.whispir.allActivities() }

    /// Contacts in a Whispir workspace (default: "My Company").
    public func whispirContacts(workspace: String = SandboxCredentials.whispirDefaultWorkspace) async -> [WhispirContact] {
        await services.whispir.contacts(in: workspace)
    }
}
