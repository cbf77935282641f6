import ArgumentParser
import Bindings
import Foundation
import LuaRuntime

/// `roster run SCRIPT.lua [ARGS...]`: runs a script as `lua` would, with the `roster` module.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Lua script: arg[0] is the script, arg[1..] the remaining arguments (also `...`).",
        discussion: """
            Flags for roster go before the script; everything after it is passed to the script.
              roster run examples/hello.lua World
              roster run --plugins ~/customers jobs/nightly.lua exports/firstbank.csv
            """
    )

    @OptionGroup var lua: LuaFlags
    @OptionGroup var output: OutputFlags

    @Argument(help: "The Lua script to run.")
    var script: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script.")
    var arguments: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = try ScriptHost(options: try lua.options(environment: environment),
                                  context: RosterContext(logger: output.logger(), environment: environment))
        do {
            try host.run(script: script, arguments: arguments)
        } catch let error as LuaError {
            ScriptFailure.report(error)
            throw ExitCode(1)
        }
    }
}

/// Prints a script error as `roster: file:line: message` plus a short traceback.
enum ScriptFailure {
    static func report(_ error: LuaError) {
        var text = "roster: \(error.message)\n"
        if let tb = error.shortTraceback { text += tb + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
