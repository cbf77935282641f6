import ArgumentParser
import Foundation

/// `roster new plugin NAME`: a working plugin skeleton whose tests pass at once.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create a new plugin from a working skeleton.", subcommands: [NewPlugin.self])
}

struct NewPlugin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Write plugins/NAME: init.lua (transform, mapping, hook), a job, tests and sample data.")

    @Argument(help: "The plugin's name: lower-case letters, digits and _ (e.g. acme).")
    var name: String

    @Option(help: "The folder to create it in.")
    var directory = "plugins"

    func validate() throws {
        guard let first = name.unicodeScalars.first, ("a" ... "z").contains(first),
              name.unicodeScalars.allSatisfy({ ("a" ... "z").contains($0) || ("0" ... "9").contains($0) || $0 == "_" }) else {
            throw ValidationError("plugin name '\(name)' must start with a letter and hold only a-z, 0-9 and _ (it is the name scripts require)")
        }
    }

    func run() throws {
        let fm = FileManager.default
        let root = (directory as NSString).appendingPathComponent(name)
        if fm.fileExists(atPath: root) || fm.fileExists(atPath: root + ".lua") {
            throw CommandExit.message("roster new plugin: \(root) already exists; nothing was written", code: 2)
        }
        let files = PluginSkeleton.files(name: name)
        for (relative, text) in files {
            let path = (root as NSString).appendingPathComponent(relative)
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            print("created \(path)")
        }
        print("""

            Next:
              1. edit \(root)/init.lua: the transform and the mapping (your file's column names)
              2. roster test \(name)                                        run its tests (nothing is sent)
              3. roster check \(root)/job.lua \(root)/test/data/sample.csv    a dry run: what would be sent
              4. roster run \(root)/job.lua YOUR_FILE.csv                   import (the sandbox when no credentials are set)
            """)
    }
}

/// The files of a new plugin, each a working starting point.
enum PluginSkeleton {
    static func files(name: String) -> [(String, String)] {
        [
            ("init.lua", """
                -- \(name): turns \(name)'s contact export into Omnigage contacts. Tested by `roster test \(name)`.
                local M = {
                  name = "\(name)",
                  version = "0.1.0",
                  description = "\(name) export -> Omnigage contacts (E.164 phones, clean emails)",
                }

                local function trim(s) return ((s or ""):gsub("^%s+", ""):gsub("%s+$", "")) end

                -- One row in; return it (changed), nil and a reason to skip it, or error() to reject it.
                function M.transform(row, ctx)
                  local phone, why = roster.phone.e164(row["Phone"], "US")   -- the region the numbers are dialled from
                  if not phone then return nil, why end
                  row["Phone"] = phone
                  row["Email"] = trim(row["Email"]):lower()
                  return row
                end

                -- Omnigage field = the column of your file (after the transform).
                M.mapping = {
                  ["first-name"] = "First Name",
                  ["last-name"] = "Last Name",
                  ["phone1-phone-number"] = "Phone",
                  ["email1-email-address"] = "Email",
                }

                M.options = { errors_file = "\(name)-errors.csv" }

                M.hooks = {
                  after_import = function(result)
                    roster.log.info("\(name): import", result.id, result.status, "created", result.created)
                  end,
                }

                return M

                """),
            ("job.lua", """
                -- roster check plugins/\(name)/job.lua FILE   (a dry run: nothing is sent)
                -- roster run plugins/\(name)/job.lua FILE
                local plugin = require("\(name)")
                return roster.job {
                  source = arg[1],
                  target = roster.omnigage {},
                  transform = plugin.transform,
                  mapping = plugin.mapping,
                  options = plugin.options,
                  hooks = plugin.hooks,
                }

                """),
            ("test/\(name)_test.lua", """
                -- roster test \(name)
                local t = roster.test
                local plugin = require("\(name)")

                t.case("a US number becomes E.164 and the email is cleaned", function()
                  local row = t.keeps(plugin.transform, { ["First Name"] = "Ann", Phone = "(407) 634-1732", Email = " Ann@Example.com " })
                  t.eq(row.Phone, "+14076341732")
                  t.eq(row.Email, "ann@example.com")
                end)

                t.case("a row without a phone is skipped with the reason", function()
                  t.skips(plugin.transform, { ["First Name"] = "Bob", Phone = "", Email = "" }, "empty")
                end)

                t.case("every sample row is kept", function()
                  for _, row in ipairs(t.rows("data/sample.csv")) do t.keeps(plugin.transform, row) end
                end)

                t.case("the mapping names columns the sample file has", function()
                  local _, header = t.rows("data/sample.csv")
                  local has = {}
                  for _, column in ipairs(header) do has[column] = true end
                  for field, column in pairs(plugin.mapping) do t.ok(has[column], field .. " maps to a missing column: " .. column) end
                end)

                t.case("the after_import hook accepts an import result", function()
                  plugin.hooks.after_import({ id = "1", status = "completed", created = 2, updated = 0, erred = 0 })
                end)

                """),
            ("test/data/sample.csv", """
                First Name,Last Name,Phone,Email
                Ann,Lee,(407) 634-1732,ann@example.com
                Bob,Marsh,+44 7911 123456,BOB@example.com

                """),
        ]
    }
}
