// C surface Swift needs around Debian's Lua 5.4: the API's macros as functions, the limits
// (memory ceiling, instruction budget) and the trampoline that lets Swift functions raise Lua
// errors without a longjmp ever crossing a Swift frame.
#ifndef ROSTER_CLUASHIM_H
#define ROSTER_CLUASHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stddef.h>

/// Per-state limits and counters; owned by the Swift LuaState, reached from Lua via the extra space.
typedef struct roster_limits {
    size_t used;          // bytes currently allocated by this state
    size_t peak;          // highest `used` seen
    size_t limit;         // ceiling while Lua code runs (0 = none)
    size_t hard_limit;    // ceiling while Swift code runs (grace so a Swift push never longjmps)
    int in_swift;         // 1 while Swift frames are on top (set/cleared around calls)
    long long budget;     // instructions per callback (0 = unlimited)
    long long remaining;  // instructions left in the current callback
    int budget_hit;       // set when the budget raised an error
    void *owner;          // the Swift LuaState (unretained)
    int stop;             // set (atomically, from any thread) to stop the Lua code running: Ctrl-C
    long long callback_started;  // CLOCK_MONOTONIC ns when the running callback began (0: none), atomic
    long long callback_limit;    // wall-clock ns a callback may run (0 = unlimited)
    long long default_budget;    // the budget a budgeted call starts with (the state's option)
} roster_limits;

/// Marks a callback as running from now; returns the previous mark (restore it with roster_callback_end).
long long roster_callback_begin(roster_limits *lim);
void roster_callback_end(roster_limits *lim, long long previous);
/// How long the running callback has run, in ns (0 when none runs); safe from any thread.
long long roster_callback_running(roster_limits *lim);
/// Like roster_callback_running, but 0 while one of Roster's Swift functions runs (for the watchdog).
long long roster_callback_stuck(roster_limits *lim);

/// Asks the Lua code running in the state of `lim` to stop (safe from any thread): the count hook
/// raises "interrupted" at its next step, in callbacks and in the main chunk alike.
void roster_request_stop(roster_limits *lim);
/// Whether a stop was requested.
int roster_stop_requested(roster_limits *lim);

/// Creates a state whose allocator enforces `lim`; `lim` must outlive the state.
lua_State *roster_newstate(roster_limits *lim);
/// Installs the count hook that enforces `lim->budget` (also inherited by coroutines).
void roster_install_budget_hook(lua_State *L);
/// The limits of a state (stored in its extra space).
roster_limits *roster_limits_of(lua_State *L);

/// Pushes a C closure that calls the Swift function boxed in `box` (see roster_swift_dispatch).
/// `release` is called from the closure's upvalue __gc with the box.
void roster_push_swift_function(lua_State *L, void *box);
/// Pushes a full userdata holding `object`, with the metatable registered under `tname`.
void roster_push_object(lua_State *L, void *object, const char *tname);
/// The object stored by roster_push_object at `idx` if its metatable is `tname`, else NULL.
void *roster_to_object(lua_State *L, int idx, const char *tname);
/// Creates (or fetches) metatable `tname` whose __gc releases boxed Swift objects; leaves it on the stack.
/// Returns 1 if it was created now.
int roster_new_object_metatable(lua_State *L, const char *tname);

/// Loads a chunk from a buffer in text mode only (binary chunks refused).
int roster_load_text(lua_State *L, const char *buf, size_t len, const char *chunkname);
/// Calls the function below `nargs` arguments with a traceback message handler; returns the status.
int roster_pcall_traceback(lua_State *L, int nargs, int nresults);
/// Pushes "chunk:line: " of the function at `level` (luaL_where), or of the one above it when that
/// one is Roster's C wrapper of a Swift function (as roster.text.upper is).
void roster_where(lua_State *L, int level);
/// Replaces the function on top (the Swift upper or lower case mapping) by a C function that maps
/// ASCII and Latin-1 text itself and hands anything else to it.
void roster_push_case_mapping(lua_State *L, int upper);
/// roster_pcall_traceback under the state's instruction budget and callback clock when `budgeted`;
/// `*hit` is set when the budget raised. The normal hook step is restored after a hit.
int roster_pcall_budgeted(lua_State *L, int nargs, int nresults, int budgeted, int *hit);

/// What one stage call over one row left (roster_stage_row).
#define ROSTER_STAGE_FULL (-4)      // too many rows for the Lua stack (a list of over 1,000,000): nothing pushed
#define ROSTER_STAGE_ERROR (-3)     // *status is the Lua status, the message is on top
#define ROSTER_STAGE_BAD_TYPE (-2)  // a map returned neither a table nor nil; *detail is its type
#define ROSTER_STAGE_BAD_ITEM (-1)  // a map returned a list whose item *detail is not a table
#define ROSTER_STAGE_SKIP 0         // skipped: the reason (a string, or nil) is on top
#define ROSTER_STAGE_ROW 1          // 1 + k: 1 + k output rows pushed (a fan-out pushes its items)
/// Calls the stage function at `fn` with the row at `row` and the ctx at `ctx` (absolute indices)
/// under the budget, and reads its results as a map (`filter` 0) or a filter stage would.
int roster_stage_row(lua_State *L, int fn, int row, int ctx, int filter, int budgeted, int *status, int *hit, int *detail);
/// Pushes the ctx table kept at registry ref `ctx_ref` with row, line set and warnings cleared.
void roster_stage_context(lua_State *L, int ctx_ref, lua_Integer number, lua_Integer line);
/// Class name of the userdata that carries a Swift error through Lua (the traceback handler keeps it whole).
extern const char *const ROSTER_ERROR_CLASS;

/// Implemented in Swift (LuaRuntime): runs the boxed function. Returns the number of results, or
/// -1 (raise the pushed value as is) / -2 (prefix it with the caller's position) after pushing an
/// error value, which the C caller raises once the Swift frame is gone.
extern int roster_swift_dispatch(lua_State *L, void *box);
/// Implemented in Swift: releases a boxed Swift object or function (from __gc).
extern void roster_swift_release(void *box);

// Rows as tables, in bulk: one C call per row instead of several per field.

/// Pushes a new table with `n` entries: key i is element i+1 of the array at absolute index `keys`,
/// its value the bytes `starts[i]`/`lengths[i]` (NULL means ""); then sets the metatable at absolute
/// index `meta` (0: none). The caller reserved 4 stack slots.
void roster_push_row(lua_State *L, int keys, int meta, int n, const void *const *starts, const size_t *lengths);

/// Pushes `n` values of the table at absolute index `row`, under the keys of the array at absolute index
/// `keys`, and points starts/lengths at their text: a string as is, nil as "", a boolean as "true"/"false".
/// A number is left for the caller to format: starts[i] = NULL, lengths[i] = (size_t)-1, counted in `*numbers`.
/// Returns how many of the values were not nil, or -(i+1) when value i is of another type (a table...).
/// The caller reserved n+2 stack slots and pops the n values when done with the bytes.
int roster_row_values(lua_State *L, int row, int keys, int n, const void **starts, size_t *lengths, int *numbers);

/// The number of entries of the table at `t` (every key, not only the array part).
int roster_table_entries(lua_State *L, int t);

/// Dumps the Lua function at the top of the stack (with its debug information, so errors keep their
/// script lines) into a malloc'd buffer (*out, free it); returns 0 on success.
int roster_dump_function(lua_State *L, char **out, size_t *len);
/// Loads a binary chunk made by roster_dump_function in this process (never a user's bytes).
int roster_load_dumped(lua_State *L, const char *buf, size_t len, const char *name);

// The API's macros, as functions Swift can import.
static inline int roster_pcall(lua_State *L, int n, int r, int f) { return lua_pcall(L, n, r, f); }
static inline const char *roster_tostring(lua_State *L, int i) { return lua_tolstring(L, i, NULL); }
static inline void roster_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void roster_newtable(lua_State *L) { lua_newtable(L); }
static inline int roster_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int roster_registryindex(void) { return LUA_REGISTRYINDEX; }
/// Switches the collector to generational mode: most garbage of a row loop (one table and a few
/// strings per row) dies young, which this mode collects without re-marking the whole heap.
static inline void roster_gc_generational(lua_State *L) { lua_gc(L, LUA_GCGEN, 0, 0); }
static inline int roster_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline void roster_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void roster_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void roster_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline double roster_tonumber(lua_State *L, int i) { return lua_tonumberx(L, i, NULL); }
static inline lua_Integer roster_tointeger(lua_State *L, int i) { return lua_tointegerx(L, i, NULL); }
static inline int roster_getglobal(lua_State *L, const char *n) { return lua_getglobal(L, n); }
static inline void roster_setglobal(lua_State *L, const char *n) { lua_setglobal(L, n); }
static inline int roster_getmetatable_named(lua_State *L, const char *n) { return luaL_getmetatable(L, n); }
static inline int roster_noref(void) { return LUA_NOREF; }
static inline int roster_multret(void) { return LUA_MULTRET; }

#endif
