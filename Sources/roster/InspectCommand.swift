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
              roster inspect --header 3 exports/with-title-rows.xlsx
            """
    )

    @Argument(help: "The file to inspect (CSV, XLSX, JSON or XML).")
    var file: String

    @Option(help: "Worksheet of an XLSX file, by 1-based number or name.")
    var sheet: String?

    @Option(help: "Force the format: csv, xlsx, json or xml.")
    var format: String?

    @Option(help: "The 1-based line (CSV) or sheet row (XLSX) that holds the header; rows above it are passed over.")
    var header: Int?

    @Option(help: "Rows to pass over before the header.")
    var skip = 0

    @Option(help: "Short CSV records: reject (default) or pad.")
    var ragged = "reject"

    @Option(help: "Delimiter of a delimited file (one character, or \\t); sniffed when not given.")
    var delimiter: String?

    @Option(help: "Text encoding: auto (default), utf-8, utf-16, cp1252 or latin-1.")
    var encoding = "auto"

    @Option(help: "Quote character of a delimited file (default \"), or none when quotes are ordinary text.")
    var quote: String?

    @Option(help: "Lines starting with this character are comments (e.g. #).")
    var comment: String?

    @Option(help: "Number of sample rows to show.")
    var sample = 5

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if let format, TableFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format '\(format)' is not one of csv, xlsx, json, xml")
        }
        if sample < 0 { throw ValidationError("--sample must be 0 or more") }
        if let header, header < 1 { throw ValidationError("--header must be a 1-based row number") }
        if skip < 0 { throw ValidationError("--skip must be 0 or more") }
        if RaggedRows(rawValue: ragged) == nil { throw ValidationError("--ragged must be reject or pad") }
        if let delimiter, delimiter != "\\t", delimiter.utf8.count != 1 { throw ValidationError("--delimiter must be one character (or \\t)") }
        if let quote, quote != "none", quote.utf8.count != 1 { throw ValidationError("--quote must be one character, or none") }
        if let comment, comment.utf8.count != 1 { throw ValidationError("--comment must be one character") }
    }

    func run() throws {
        var options = ReadOptions()
        options.format = format.flatMap { TableFormat(rawValue: $0.lowercased()) }
        if let sheet { options.sheet = Int(sheet).map { .index($0) } ?? .name(sheet) }
        options.headerRow = header ?? 1
        options.skip = skip
        options.ragged = RaggedRows(rawValue: ragged) ?? .reject
        options.delimiter = delimiter.map { $0 == "\\t" ? 0x09 : $0.utf8.first ?? 0x2C }
        options.encoding = encoding
        if let quote { options.quote = quote == "none" ? nil : quote.utf8.first }
        options.comment = comment?.utf8.first
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
