import ArgumentParser
import Bindings
import Foundation

/// The `roster` command line. Exit codes (decided by the run report): 0 ok, 1 script error, 2 usage
/// error, 3 rows rejected, 4 remote API refused, 5 transport failure, 130 interrupted, 143 terminated.
@main
struct Roster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Import contact lists into messaging platforms, scripted in Lua.",
        discussion: """
            Examples (from the project folder):
              roster run examples/job.lua examples/data/contacts.csv     run a job (journalled; a re-run resumes)
              roster check examples/job.lua examples/data/contacts.csv   the same job, every remote stage simulated
              roster run examples/hello.lua World                       run a script (arg[0] = script, arg[1..] = the rest)
              roster inspect examples/data/contacts.csv                 format, encoding, header, sample rows, warnings
              roster plugins                                            list plugins on the plugin path
              roster new plugin acme                                    a plugin skeleton with its tests, in the plugins folder
              roster test acme                                          run a plugin's tests (nothing is sent)
              roster sandbox --port 8780                                serve the local Omnigage/S3/Whispir emulator
              roster version

            Credentials come from the environment (OMNIGAGE_KEY, OMNIGAGE_SECRET, OMNIGAGE_ACCOUNT_KEY,
            WHISPIR_API_KEY, WHISPIR_USERNAME, WHISPIR_PASSWORD, ...), never from flags; with none set,
            jobs go to the built-in sandbox on 127.0.0.1.
            Exit codes: 0 ok, 1 script error, 2 usage error, 3 rows rejected, 4 remote API refused,
            5 transport failure, 130 interrupted, 143 terminated.
            """,
        version: RosterModule.version,
        subcommands: [Run.self, Check.self, Inspect.self, Plugins.self, TestCommand.self, NewCommand.self, SandboxCommand.self, Version.self]
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
