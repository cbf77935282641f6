import ArgumentParser
import Bindings
import Foundation

/// The `roster` command line. Exit codes follow docs/design.md: 0 ok, 1 script error, 2 usage error,
/// 3 rows rejected, 4 remote API refused, 5 transport failure, 130 interrupted.
@main
struct Roster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Import contact lists into messaging platforms, scripted in Lua.",
        discussion: """
            Examples:
              roster run examples/hello.lua                 run a script (arg[0] = script, arg[1..] = the rest)
              roster run plugins/firstbank/job.lua in.csv   run a customer's job on a file
              roster inspect exports/contacts.xlsx          format, encoding, header, sample rows, warnings
              roster plugins                                list plugins on the plugin path
              roster sandbox --port 8780                    serve the local Omnigage/S3/Whispir emulator
              roster version

            Credentials come from the environment (OMNIGAGE_KEY, OMNIGAGE_SECRET, OMNIGAGE_ACCOUNT_KEY,
            WHISPIR_API_KEY, WHISPIR_USERNAME, WHISPIR_PASSWORD, ...), never from flags.
            Exit codes: 0 ok, 1 script error, 2 usage error, 3 rows rejected, 4 remote API refused,
            5 transport failure, 130 interrupted.
            """,
        version: RosterModule.version,
        subcommands: [Run.self, Check.self, Inspect.self, Plugins.self, SandboxCommand.self, Version.self]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success {
                    print(message)
                } else {
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                }
            }
            // swift-argument-parser's usage failure is 64; Roster documents 2.
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// `roster version`: prints the version of Roster and of its embedded Lua.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print Roster's version.")

    func run() {
        print("roster \(RosterModule.version) (Lua 5.4)")
    }
}
