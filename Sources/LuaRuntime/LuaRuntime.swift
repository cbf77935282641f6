// LuaRuntime: see issue 2.
