import CLua
import CLuaShim

/// An error a Swift function raised, as Lua sees it: a `roster.Error` object that prints, compares and
/// concatenates like its message (`tostring(e)`, `e:match(...)`, `"x" .. e`), exposes `e.message` and
/// `e.kind`, and comes back to Swift as the same typed value (`LuaError.underlying`).
final class LuaErrorObject {
    static let className = String(cString: ROSTER_ERROR_CLASS)
    let error: any Error
    /// `file:line: message`.
    let message: String

    init(error: any Error, message: String) {
        self.error = error
        self.message = message
    }

}

extension LuaStack {
    /// Registers the `roster.Error` class (once per state).
    func defineErrorClass() {
        let message: LuaFunction = { s in
            guard let e = s.object(at: 1, className: LuaErrorObject.className, as: LuaErrorObject.self) else {
                s.push(s.string(at: 1) ?? "")
                return 1
            }
            s.push(e.message)
            return 1
        }
        let text: (LuaStack, Int32) -> String = { s, i in
            if let e = s.object(at: i, className: LuaErrorObject.className, as: LuaErrorObject.self) { return e.message }
            return s.string(at: i) ?? "(\(s.type(at: i).name))"
        }
        defineClass(LuaErrorObject.className, methods: [:], metamethods: [
            "__tostring": message,
            "__concat": { s in
                s.push(text(s, 1) + text(s, 2))
                return 1
            },
            "__eq": { s in
                s.push(text(s, 1) == text(s, 2))
                return 1
            },
            "__index": { s in
                guard let e = s.object(at: 1, className: LuaErrorObject.className, as: LuaErrorObject.self),
                      let key = s.string(at: 2) else { s.pushNil(); return 1 }
                switch key {
                case "message": s.push(e.message)
                case "kind": s.push(s.state.errorKind(e.error))
                default:
                    // String methods act on the message: e:match(...), e:find(...), e:sub(...).
                    guard s.getGlobal("string") == .table, s.getField(key, in: -1) == .function else {
                        s.pushNil()
                        return 1
                    }
                    s.push(function: { s in
                        try s.reserve(4)
                        let n = s.top
                        guard s.getGlobal("string") == .table, s.getField(key, in: -1) == .function else {
                            throw LuaArgumentError(message: "string.\(key) is gone")
                        }
                        s.stackRemove(-2)
                        roster_insert(s.L, 1)
                        if s.object(at: 2, className: LuaErrorObject.className, as: LuaErrorObject.self) != nil {
                            s.push(text(s, 2))
                            roster_replace(s.L, 2)
                        }
                        try s.call(arguments: n, results: LUA_MULTRET, budgeted: false)
                        return s.top
                    })
                }
                return 1
            },
        ])
    }

    /// Pushes `object` as a `roster.Error`.
    func push(errorObject: LuaErrorObject) {
        push(object: errorObject, className: LuaErrorObject.className)
    }

    /// `chunk:line: ` of the Lua function `level` frames up (empty when it is a C function).
    func position(level: Int32) -> String {
        roster_where(L, level)
        defer { pop() }
        return string(at: -1) ?? ""
    }
}
