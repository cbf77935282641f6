import ArgumentParser
import Dispatch
import Foundation
import Sandbox

/// `roster sandbox [--port N] [--data-dir DIR]`: serves the local emulator of Omnigage, S3 and
/// Whispir on 127.0.0.1 in the foreground until SIGINT or SIGTERM.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve the local emulator of Omnigage, S3 (POST) and Whispir on 127.0.0.1.",
        discussion: """
            Prints the base URLs and the sandbox's credentials (public: it listens on loopback only).
            Point a client at it with OMNIGAGE_BASE_URL / WHISPIR_BASE_URL, or use `roster run --sandbox`.
            Stop it with Ctrl-C (SIGINT) or SIGTERM.
            """
    )

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port = 8780

    @Option(name: .customLong("data-dir"), help: "Keep uploads, resources and state in this folder (default: memory).")
    var dataDir: String?

    func validate() throws {
        guard (0 ... 65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        let server = SandboxServer(configuration: SandboxConfiguration(port: port, dataDirectory: dataDir))
        let serving = Task {
            try await server.run(onReady: { running in
                FileHandle.standardOutput.write(Data((running.summary + "\n").utf8))
            })
        }
        // Signals stop the server through task cancellation, so the state is saved and the port released.
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { serving.cancel() }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        try await serving.value
        FileHandle.standardError.write(Data("sandbox stopped\n".utf8))
    }
}
