import Foundation
import LuaRuntime

/// A plugin found on the plugin path, as `roster plugins` lists it.
public struct PluginListing: Sendable, Equatable, Encodable {
    public var name: String
    public var path: String
    public var version: String?
    public var description: String?
    /// Why the plugin could not be loaded; a broken plugin is listed, not fatal.
    public var error: String?
}

/// Finds plugins (`DIR/NAME.lua` or `DIR/NAME/init.lua`) and reads the table each one returns.
public enum PluginCatalog {
    /// Lists plugins in `directories` (first one found wins for a name), loading each in its own state.
    public static func list(directories: [String], options: LuaOptions, context: RosterContext) -> [PluginListing] {
        var found: [(String, String)] = []
        var names = Set<String>()
        let fm = FileManager.default
        for dir in directories {
            guard let entries = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            for entry in entries.sorted() {
                let full = (dir as NSString).appendingPathComponent(entry)
                var isDir: ObjCBool = false
                var name: String?
                var file = full
                if entry.hasSuffix(".lua"), fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                    name = String(entry.dropLast(4))
                } else if fm.fileExists(atPath: full, isDirectory: &isDir), isDir.boolValue,
                          fm.fileExists(atPath: (full as NSString).appendingPathComponent("init.lua")) {
                    name = entry
                    file = (full as NSString).appendingPathComponent("init.lua")
                }
                if let name, !name.contains("."), names.insert(name).inserted { found.append((name, file)) }
            }
        }
        return found.map { load(name: $0.0, path: $0.1, options: options, context: context) }
    }

    static func load(name: String, path: String, options: LuaOptions, context: RosterContext) -> PluginListing {
        var listing = PluginListing(name: name, path: path)
        do {
            let host = try ScriptHost(options: options, context: context)
            let results = try host.state.run("return require(...)", name: "=[roster plugins]", arguments: [name])
            guard case .table(let t) = results.first ?? .nil else {
                listing.error = "plugin did not return a table"
                return listing
            }
            listing.version = t["version"].stringValue
            listing.description = t["description"].stringValue
            if let declared = t["name"].stringValue { listing.name = declared }
        } catch {
            listing.error = String(describing: error)
        }
        return listing
    }
}
