import ArgumentParser
import Bindings
import Foundation

/// `roster plugins`: lists the plugins found on the plugin path.
struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List plugins on the plugin path (./plugins, --plugins DIR, ROSTER_PLUGIN_PATH).")

    @OptionGroup var lua: LuaFlags
    @OptionGroup var output: OutputFlags

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let options = try lua.options(environment: environment)
        let listings = PluginCatalog.list(directories: options.pluginDirectories, options: options,
                                          context: RosterContext(logger: output.logger(), environment: environment))
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(listings), as: UTF8.self))
            if listings.contains(where: { $0.error != nil }) { throw ExitCode(1) }
            return
        }
        if listings.isEmpty {
            print("no plugins found in: \(options.pluginDirectories.joined(separator: ", "))")
            return
        }
        let nameWidth = max(4, listings.map(\.name.count).max() ?? 4)
        let versionWidth = max(7, listings.map { ($0.version ?? "-").count }.max() ?? 7)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        print("\(pad("NAME", nameWidth))  \(pad("VERSION", versionWidth))  DESCRIPTION")
        for p in listings {
            let what = p.error.map { "ERROR: \($0)" } ?? (p.description ?? "")
            print("\(pad(p.name, nameWidth))  \(pad(p.version ?? "-", versionWidth))  \(what)  (\(p.path))")
        }
        // A broken plugin fails the command, so CI notices it.
        let broken = listings.filter { $0.error != nil }
        if !broken.isEmpty {
            FileHandle.standardError.write(Data("roster: \(broken.count) plugin(s) failed to load: \(broken.map(\.name).joined(separator: ", "))\n".utf8))
            throw ExitCode(1)
        }
    }
}
