// Bindings: the `roster` Lua module. See docs/design.md.
