import ArgumentParser
import Foundation
import Tabular

/// `roster inspect FILE`: what Roster sees in a file before a script touches it.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a file's format, encoding, delimiter, header, sample rows, row count and suspicious values.",
        discussion: """
              roster inspect exports/firstbank.csv
              roster inspect --sheet Contacts --json exports/firstbank.xlsx
            """
    )

    @Argument(help: "The file to inspect (CSV, XLSX, JSON or XML).")
    var file: String

    @Option(help: "Worksheet of an XLSX file, by 1-based number or name.")
    var sheet: String?

    @Option(help: "Force the format: csv, xlsx, json or xml.")
    var format: String?

    @Option(help: "Number of sample rows to show.")
    var sample = 5

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if let format, TableFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format '\(format)' is not one of csv, xlsx, json, xml")
        }
        if sample < 0 { throw ValidationError("--sample must be 0 or more") }
    }

    func run() throws {
        var options = ReadOptions()
        options.format = format.flatMap { TableFormat(rawValue: $0.lowercased()) }
        if let sheet { options.sheet = Int(sheet).map { .index($0) } ?? .name(sheet) }
        let report: Inspection
        do {
            report = try Inspector.inspect(path: file, options: options, sampleRows: sample)
        } catch {
            FileHandle.standardError.write(Data("roster: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if json { print(try report.json()) } else { print(report.text, terminator: "") }
    }
}
