import Testing
@testable import LuaRuntime

@Suite struct LuaValueTests {
    func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let state = try LuaState()
        let s = state.stack
        s.push(value)
        defer { s.pop() }
        return try s.value(at: -1)
    }

    @Test func scalarsSurviveARoundTripExactly() throws {
        #expect(try roundTrip(.integer(Int64.max)) == .integer(Int64.max))
        #expect(try roundTrip(.integer(Int64.min)) == .integer(Int64.min))
        #expect(try roundTrip(.number(0.1)) == .number(0.1))
        #expect(try roundTrip(.number(1.0)) == .number(1.0))
        #expect(try roundTrip(.boolean(false)) == .boolean(false))
        #expect(try roundTrip(.nil) == .nil)
    }

    @Test func stringsKeepNulBytesAndInvalidUTF8() throws {
        #expect(try roundTrip(.string("a\0b")) == .string("a\0b"))
        #expect(try roundTrip(.string("Zoë 👩‍💻")) == .string("Zoë 👩‍💻"))
        #expect(try roundTrip(.bytes([0x61, 0xFF, 0x00, 0x62])) == .bytes([0x61, 0xFF, 0x00, 0x62]))
    }

    @Test func nestedTablesKeepArraysAndFields() throws {
        let inner = LuaTable(array: [.integer(1), .string("two")], fields: ["deep": .boolean(true)])
        let outer = LuaValue.table(LuaTable(array: [.number(0.5), .table(inner)], fields: ["name": "Ann", .integer(10): "ten"]))
        #expect(try roundTrip(outer) == outer)
    }

    @Test func valuesFromLuaCodeKeepIntegerVersusFloat() throws {
        let state = try LuaState()
        let values = try state.run("return math.maxinteger, 0.1, 'a\\0b', 3, 3.0, {1, 2, {x = true}}")
        #expect(values == [
            .integer(Int64.max), .number(0.1), .string("a\0b"), .integer(3), .number(3.0),
            .table(LuaTable(array: [1, 2, .table(LuaTable(fields: ["x": true]))])),
        ])
        #expect(try state.run("return 2^53")[0] == .number(9007199254740992))
    }

    @Test func cyclesAreAnErrorNotAHang() throws {
        let state = try LuaState()
        let s = state.stack
        _ = try state.run("t = {}; t.self = t")
        s.getGlobal("t")
        defer { s.pop() }
        #expect(throws: LuaError.self) { try s.value(at: -1) }
    }

    @Test func numbersFormatAsLuaDoes() {
        #expect(LuaNumberFormat.string(3.0) == "3.0")
        #expect(LuaNumberFormat.string(0.1) == "0.1")
        #expect(LuaNumberFormat.string(1e100) == "1e+100")
        #expect(LuaNumberFormat.string(-Double.infinity) == "-inf")
    }
}
