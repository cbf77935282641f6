import Foundation
@_exported import RosterTestSupport  // temp-file helpers for every file of this target
@testable import LuaRuntime


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
