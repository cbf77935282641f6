/// An error raised by Lua code (or by the limits), with its position and a traceback.
public struct LuaError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case runtime, syntax, memory, budget, messageHandler, file
    }

    public var kind: Kind
    /// `file:line: message`, as Lua reports it.
    public var message: String
    /// Lua's `stack traceback:` lines, when the error came through a protected call.
    public var traceback: String?
    /// The Swift error a Roster function raised, carried through Lua as an object: recognise it by type.
    public var underlying: (any Error)?

    public init(kind: Kind, message: String, traceback: String? = nil, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.traceback = traceback
        self.underlying = underlying
    }

    /// The Swift error of type `T` this error carries, if it carries one.
    public func underlying<T: Error>(as type: T.Type) -> T? { underlying as? T }

    public var description: String { message }

    /// The traceback cut to its useful lines (no C frames of Roster's own machinery).
    public var shortTraceback: String? {
        guard let traceback else { return nil }
        let lines = traceback.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("[C]: in ?") && !$0.contains("in function <[string \"roster") }
        guard lines.count > 1 else { return nil }
        let kept = lines.prefix(12)
        return kept.joined(separator: "\n") + (lines.count > kept.count ? "\n\t..." : "")
    }

    /// Splits what the traceback handler produced into message and traceback.
    static func from(status: Int32, text: String, budgetHit: Bool, underlying: (any Error)? = nil) -> LuaError {
        let kind: Kind
        switch status {
        case LUA_ERRSYNTAX_: kind = .syntax
        case LUA_ERRMEM_: kind = .memory
        case LUA_ERRERR_: kind = .messageHandler
        default: kind = budgetHit || text.contains("instruction budget exceeded (") ? .budget : .runtime
        }
        if let range = text.range(of: "\nstack traceback:") {
            return LuaError(kind: kind, message: String(text[..<range.lowerBound]),
                            traceback: String(text[text.index(after: range.lowerBound)...]), underlying: underlying)
        }
        return LuaError(kind: kind, message: text, underlying: underlying)
    }
}

// Status codes from lua.h (imported as macros Swift may not see as constants).
let LUA_ERRSYNTAX_: Int32 = 3
let LUA_ERRMEM_: Int32 = 4
let LUA_ERRERR_: Int32 = 5
