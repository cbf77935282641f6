import CLua
import CLuaShim

/// A Swift function callable from Lua. It reads its arguments from the stack, pushes its results
/// and returns their count; throwing becomes a Lua error raised after this frame is gone.
/// Only 20 stack slots are guaranteed: call `LuaStack.reserve` before pushing more.
public typealias LuaFunction = (LuaStack) throws -> Int32

/// Boxes a Swift closure for a Lua C closure's upvalue; released by the upvalue's `__gc`.
final class SwiftFunctionBox {
    let function: LuaFunction
    init(_ function: @escaping LuaFunction) { self.function = function }
}

/// Boxes a Swift object exposed to Lua as a full userdata; released by its `__gc`.
final class SwiftObjectBox {
    let object: AnyObject
    init(_ object: AnyObject) { self.object = object }
}

/// Called by the C trampoline: runs the boxed Swift function. Returns -1 with an error value pushed
/// so that C raises it; a Lua error never unwinds through this frame.
@_cdecl("roster_swift_dispatch")
func rosterSwiftDispatch(_ L: OpaquePointer?, _ box: UnsafeMutableRawPointer?) -> Int32 {
    guard let L, let box else { return -1 }
    let fn = Unmanaged<SwiftFunctionBox>.fromOpaque(box).takeUnretainedValue()
    guard let state = LuaState.owner(of: L) else {
        lua_pushstring(L, "Roster function called on a Lua state that is gone")
        return -1
    }
    let stack = LuaStack(L, state: state)
    do {
        return try fn.function(stack)
    } catch let error as LuaError {
        // A Lua error caught in a nested call travels on unchanged: it already names its position.
        if let underlying = error.underlying {
            stack.push(errorObject: LuaErrorObject(error: underlying, message: error.message))
        } else {
            stack.push(error.message)
        }
        return -1
    } catch {
        // A Swift error travels as an object that prints as `file:line: message` and keeps its type.
        stack.push(errorObject: LuaErrorObject(error: error, message: stack.position(level: 1) + String(describing: error)))
        return -1
    }
}

/// Called from `__gc` of a function upvalue or an object userdata: drops Swift's retain.
@_cdecl("roster_swift_release")
func rosterSwiftRelease(_ box: UnsafeMutableRawPointer?) {
    guard let box else { return }
    Unmanaged<AnyObject>.fromOpaque(box).release()
}
