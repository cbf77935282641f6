import Foundation
@testable import LuaRuntime

/// A fresh temporary directory for one test.
func makeTemporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-lua-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes `text` to `dir/name` (creating folders) and returns the path.
@discardableResult
func writeFile(_ dir: String, _ name: String, _ text: String) throws -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom from Swift" }
}

extension LuaState {
    /// Registers `callback(fn, ...)`: calls `fn` from Swift as a budgeted callback and returns its results.
    func registerCallbackRunner() {
        register("callback") { s in
            let n = s.top
            try s.call(arguments: n - 1, results: LUA_MULTRET_, budgeted: true)
            return s.top
        }
    }
}

let LUA_MULTRET_: Int32 = -1
