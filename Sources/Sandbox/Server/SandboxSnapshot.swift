import Foundation

/// The state a data folder keeps between runs (`sandbox.json`), written on stop and read on start.
/// Object and resource bytes are files in the same folder already.
struct SandboxSnapshot: Codable {
    static let fileName = "sandbox.json"

    var version = 1
    var objects: [StoredObject]
    var omnigage: OmnigageState.Snapshot
    var whispir: WhispirState.Snapshot

    static func capture(_ services: SandboxServices) async -> SandboxSnapshot {
        SandboxSnapshot(objects: await services.objects.all(), omnigage: await services.omnigage.snapshot(),
                        whispir: await services.whispir.snapshot())
    }

    func restore(into services: SandboxServices) async {
        await services.objects.restore(objects)
        await services.omnigage.restore(omnigage)
        await services.whispir.restore(whispir)
    }

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// The saved state, `nil` when the folder has none; a damaged file is an error, never silently dropped.
    static func read(from folder: URL) throws -> SandboxSnapshot? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let decoder = JSONDecoder()
        return try decoder.decode(SandboxSnapshot.self, from: Data(contentsOf: url))
    }
}
