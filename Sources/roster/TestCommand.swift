import ArgumentParser
import Bindings
import Foundation
import Pipeline

/// `roster test [PLUGIN|FILE ...]`: runs plugin tests with TAP-like output; exit 0 when all pass, 1 otherwise.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run plugin tests (plugins/NAME/test/*.lua) with roster.test; nothing is sent.",
        discussion: """
            With no argument, the tests of every plugin on the plugin path; with a plugin name, that
            plugin's; with a .lua file, that file. Output is TAP: `ok N - name` or `not ok N - name`
            followed by the failure. Exit 0 when every case passes, 1 otherwise.
            """)

    @Argument(help: "Plugin names or test files (default: every plugin with a test folder).")
    var targets: [String] = []

    @OptionGroup var lua: LuaFlags
    @OptionGroup var output: OutputFlags

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let directories = ScriptHost.pluginDirectories(flags: lua.pluginDirs, environment: environment)
        var files: [String] = []
        if targets.isEmpty {
            let plugins = PluginCatalog.list(directories: directories, options: try lua.options(environment: environment),
                                             context: RosterContext(logger: output.logger(), environment: environment))
            for plugin in plugins { files += PluginTests.files(ofPlugin: plugin.name, directories: directories) }
            if files.isEmpty {
                throw CommandExit.message("no plugin tests found in \(directories.joined(separator: ", ")): put them in plugins/NAME/test/*.lua "
                                        + "(roster new plugin NAME writes a plugin with its first tests)", code: 1)
            }
        }
        for target in targets {
            if target.hasSuffix(".lua") {
                guard FileManager.default.fileExists(atPath: target) else { throw CommandExit.message("roster test: no file \(target)", code: 2) }
                files.append(target)
            } else {
                let found = PluginTests.files(ofPlugin: target, directories: directories)
                guard !found.isEmpty else {
                    throw CommandExit.message("roster test: plugin \"\(target)\" has no tests (looked for \(target)/test/*.lua in "
                                            + "\(directories.joined(separator: ", "))); roster new plugin \(target) writes a plugin with tests", code: 2)
                }
                files += found
            }
        }
        var number = 0, failed = 0
        for file in files {
            print("# \(file)")
            let settings = RunSettings(dryRun: true, journalDirectory: ".roster/journal")
            let context = RosterContext(logger: output.logger(), environment: environment, settings: settings)
            for result in PluginTests.run(file: file, options: try lua.options(environment: environment, script: file), context: context) {
                number += 1
                if let failure = result.failure {
                    failed += 1
                    print("not ok \(number) - \(result.name)")
                    for line in failure.split(separator: "\n", omittingEmptySubsequences: false) { print("  # \(line)") }
                } else {
                    print("ok \(number) - \(result.name)")
                }
            }
        }
        print("1..\(number)")
        print("# \(number - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Exits with `code` after printing `message` on stderr.
enum CommandExit {
    static func message(_ text: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        return ExitCode(code)
    }
}
