#include "CLuaShim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// How often (in VM instructions) the count hook runs; cheap enough, fine-grained enough.
#define ROSTER_HOOK_STEP 1000

static void *roster_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    roster_limits *lim = (roster_limits *)ud;
    if (ptr == NULL) osize = 0;
    if (nsize == 0) {
        free(ptr);
        lim->used -= osize;
        return NULL;
    }
    if (nsize > osize) {
        size_t next = lim->used - osize + nsize;
        size_t ceiling = lim->in_swift ? lim->hard_limit : lim->limit;
        // Returning NULL makes Lua raise "not enough memory" from its own (C) frames.
        if (ceiling != 0 && next > ceiling) return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p != NULL) {
        lim->used = lim->used - osize + nsize;
        if (lim->used > lim->peak) lim->peak = lim->used;
    }
    return p;
}

static int roster_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "roster: unprotected Lua error (a bug in Roster): %s\n", msg ? msg : "?");
    fflush(stderr);
    abort();
    return 0;
}

lua_State *roster_newstate(roster_limits *lim) {
    lua_State *L = lua_newstate(roster_alloc, lim);
    if (L == NULL) return NULL;
    *(roster_limits **)lua_getextraspace(L) = lim;  // copied into every new thread
    lua_atpanic(L, roster_panic);
    return L;
}

roster_limits *roster_limits_of(lua_State *L) { return *(roster_limits **)lua_getextraspace(L); }

static long long roster_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

long long roster_callback_begin(roster_limits *lim) {
    long long previous = __atomic_load_n(&lim->callback_started, __ATOMIC_SEQ_CST);
    __atomic_store_n(&lim->callback_started, roster_now_ns(), __ATOMIC_SEQ_CST);
    return previous;
}

void roster_callback_end(roster_limits *lim, long long previous) {
    __atomic_store_n(&lim->callback_started, previous, __ATOMIC_SEQ_CST);
}

long long roster_callback_running(roster_limits *lim) {
    long long started = __atomic_load_n(&lim->callback_started, __ATOMIC_SEQ_CST);
    return started == 0 ? 0 : roster_now_ns() - started;
}

long long roster_callback_stuck(roster_limits *lim) {
    // Inside one of Roster's own functions the callback is waiting on Roster, not stuck.
    if (__atomic_load_n(&lim->in_swift, __ATOMIC_SEQ_CST)) return 0;
    return roster_callback_running(lim);
}

void roster_request_stop(roster_limits *lim) { __atomic_store_n(&lim->stop, 1, __ATOMIC_SEQ_CST); }
int roster_stop_requested(roster_limits *lim) { return __atomic_load_n(&lim->stop, __ATOMIC_SEQ_CST); }

static void roster_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    roster_limits *lim = roster_limits_of(L);
    if (roster_stop_requested(lim)) {
        // As with the budget: from now on every instruction raises, so a pcall cannot swallow it.
        if (lua_gethookcount(L) != 1) lua_sethook(L, roster_count_hook, LUA_MASKCOUNT, 1);
        lua_Debug here;
        if (lua_getstack(L, 0, &here) && lua_getinfo(L, "Sl", &here) && here.currentline > 0) {
            luaL_error(L, "%s:%d: interrupted", here.short_src, here.currentline);
        }
        luaL_error(L, "interrupted");
    }
    if (lim->callback_limit > 0 && roster_callback_running(lim) > lim->callback_limit) {
        lua_Debug here;
        long long seconds = lim->callback_limit / 1000000000LL;
        if (lua_getstack(L, 0, &here) && lua_getinfo(L, "Sl", &here) && here.currentline > 0) {
            luaL_error(L, "%s:%d: time limit exceeded (%I s per callback; raise it with --callback-timeout)",
                       here.short_src, here.currentline, (lua_Integer)seconds);
        }
        luaL_error(L, "time limit exceeded (%I s per callback)", (lua_Integer)seconds);
    }
    if (lim->budget <= 0) return;
    lim->remaining -= lua_gethookcount(L);
    if (lim->remaining > 0) return;
    // Once spent, raise on every instruction of this thread: a pcall inside the callback then cannot
    // swallow the error, because the code after it is stopped too. Swift restores the step afterwards.
    lim->remaining = 0;
    lim->budget_hit = 1;
    if (lua_gethookcount(L) != 1) lua_sethook(L, roster_count_hook, LUA_MASKCOUNT, 1);
    lua_Debug here;
    if (lua_getstack(L, 0, &here) && lua_getinfo(L, "Sl", &here) && here.currentline > 0) {
        luaL_error(L, "%s:%d: instruction budget exceeded (%I instructions per callback; "
                      "an endless loop? raise it with --lua-budget)",
                   here.short_src, here.currentline, (lua_Integer)lim->budget);
    }
    luaL_error(L, "instruction budget exceeded (%I instructions per callback)", (lua_Integer)lim->budget);
}

void roster_install_budget_hook(lua_State *L) { lua_sethook(L, roster_count_hook, LUA_MASKCOUNT, ROSTER_HOOK_STEP); }

static int roster_box_gc(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, 1);
    if (slot != NULL && *slot != NULL) {
        void *box = *slot;
        *slot = NULL;
        roster_swift_release(box);
    }
    return 0;
}

static int roster_case_map(lua_State *L);

void roster_where(lua_State *L, int level) {
    lua_Debug ar;
    // Called through one of Roster's C wrappers (roster.text.upper's): the Lua line that called it.
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "f", &ar)) {
        int wrapper = lua_tocfunction(L, -1) == roster_case_map;
        lua_pop(L, 1);
        if (wrapper) level++;
    }
    luaL_where(L, level);
}

static int roster_trampoline(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, lua_upvalueindex(1));
    if (slot == NULL || *slot == NULL) return luaL_error(L, "Roster function called after it was released");
    roster_limits *lim = roster_limits_of(L);
    int was = __atomic_load_n(&lim->in_swift, __ATOMIC_SEQ_CST);
    __atomic_store_n(&lim->in_swift, 1, __ATOMIC_SEQ_CST);
    long long entered = roster_now_ns();
    int n = roster_swift_dispatch(L, *slot);
    // Time spent in Roster's own functions (a client call, a nested job) is not the callback's: the
    // wall-clock limit counts Lua and the C library only.
    long long started = __atomic_load_n(&lim->callback_started, __ATOMIC_SEQ_CST);
    if (started != 0) __atomic_store_n(&lim->callback_started, started + (roster_now_ns() - entered), __ATOMIC_SEQ_CST);
    __atomic_store_n(&lim->in_swift, was, __ATOMIC_SEQ_CST);
    // Swift's frame is gone: raising here unwinds only C and Lua frames.
    if (n == -2 && lua_type(L, -1) == LUA_TSTRING) {
        roster_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    if (n < 0) return lua_error(L);
    if (lim->limit != 0 && lim->used > lim->limit) return luaL_error(L, "not enough memory (Lua memory ceiling reached)");
    return n;
}

static const char *ROSTER_FN_BOX = "roster.swiftfunction";

void roster_push_swift_function(lua_State *L, void *box) {
    void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
    *slot = box;
    if (luaL_newmetatable(L, ROSTER_FN_BOX)) {
        lua_pushcfunction(L, roster_box_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "locked");
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, roster_trampoline, 1);
}

int roster_new_object_metatable(lua_State *L, const char *tname) {
    int created = luaL_newmetatable(L, tname);
    if (created) {
        lua_pushcfunction(L, roster_box_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushliteral(L, "locked");
        lua_setfield(L, -2, "__metatable");
    }
    return created;
}

void roster_push_object(lua_State *L, void *object, const char *tname) {
    void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
    *slot = object;
    roster_new_object_metatable(L, tname);
    lua_setmetatable(L, -2);
}

void *roster_to_object(lua_State *L, int idx, const char *tname) {
    void **slot = (void **)luaL_testudata(L, idx, tname);
    return slot ? *slot : NULL;
}

int roster_load_text(lua_State *L, const char *buf, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, buf, len, chunkname, "t");
}

const char *const ROSTER_ERROR_CLASS = "roster.Error";

static int roster_traceback(lua_State *L) {
    // A Swift error object (roster.Error) reaches Swift intact: { object, "message\nstack traceback:..." }.
    if (luaL_testudata(L, 1, ROSTER_ERROR_CLASS) != NULL) {
        const char *text = luaL_tolstring(L, 1, NULL);
        luaL_traceback(L, L, text, 1);
        lua_createtable(L, 2, 0);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 1);
        lua_pushvalue(L, -2);
        lua_rawseti(L, -2, 2);
        return 1;
    }
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int roster_pcall_traceback(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, roster_traceback);
    lua_insert(L, base);
    roster_limits *lim = roster_limits_of(L);
    int was = __atomic_load_n(&lim->in_swift, __ATOMIC_SEQ_CST);
    __atomic_store_n(&lim->in_swift, 0, __ATOMIC_SEQ_CST);
    int status = lua_pcall(L, nargs, nresults, base);
    __atomic_store_n(&lim->in_swift, was, __ATOMIC_SEQ_CST);
    lua_remove(L, base);
    return status;
}

int roster_pcall_budgeted(lua_State *L, int nargs, int nresults, int budgeted, int *hit) {
    roster_limits *lim = roster_limits_of(L);
    long long saved_budget = lim->budget, saved_remaining = lim->remaining;
    lim->budget = budgeted ? lim->default_budget : 0;
    lim->remaining = lim->budget;
    lim->budget_hit = 0;
    long long mark = budgeted ? roster_callback_begin(lim) : 0;
    int status = roster_pcall_traceback(L, nargs, nresults);
    if (budgeted) roster_callback_end(lim, mark);
    *hit = lim->budget_hit != 0;
    lim->budget = saved_budget;
    lim->remaining = saved_remaining;
    if (*hit) {
        lim->budget_hit = 0;
        // The budget left a step of 1 behind (every instruction raises): back to the normal step.
        roster_install_budget_hook(L);
    }
    return status;
}

int roster_stage_row(lua_State *L, int fn, int row, int ctx, int filter, int budgeted, int *status, int *hit, int *detail) {
    *status = LUA_OK;
    *hit = 0;
    *detail = 0;
    if (!lua_checkstack(L, 8)) return ROSTER_STAGE_FULL;  // nothing can be pushed, not even a message
    lua_pushvalue(L, fn);
    lua_pushvalue(L, row);
    lua_pushvalue(L, ctx);
    *status = roster_pcall_budgeted(L, 2, 2, budgeted, hit);
    if (*status != LUA_OK) return ROSTER_STAGE_ERROR;
    int first = lua_gettop(L) - 1;
    if (filter) {
        if (lua_toboolean(L, first)) {
            lua_settop(L, first - 1);
            lua_pushvalue(L, row);
            return ROSTER_STAGE_ROW;
        }
        lua_remove(L, first);
        return ROSTER_STAGE_SKIP;  // the reason (or nil) on top
    }
    int type = lua_type(L, first);
    if (type == LUA_TNIL) {
        lua_remove(L, first);
        return ROSTER_STAGE_SKIP;
    }
    if (type != LUA_TTABLE) {
        *detail = type;
        lua_settop(L, first - 1);
        return ROSTER_STAGE_BAD_TYPE;
    }
    lua_settop(L, first);
    // A list of rows (item 1 is a table) fans out: its items replace it on the stack.
    if (lua_rawlen(L, first) == 0 || lua_rawgeti(L, first, 1) != LUA_TTABLE) {
        if (lua_gettop(L) > first) lua_pop(L, 1);
        return ROSTER_STAGE_ROW;
    }
    lua_pop(L, 1);
    lua_Unsigned n = lua_rawlen(L, first);
    if (n > 1000000 || !lua_checkstack(L, (int)n + 4)) {
        lua_settop(L, first - 1);
        return ROSTER_STAGE_FULL;
    }
    for (lua_Unsigned j = 1; j <= n; j++) {
        if (lua_rawgeti(L, first, (lua_Integer)j) != LUA_TTABLE) {
            *detail = (int)j;
            lua_settop(L, first - 1);
            return ROSTER_STAGE_BAD_ITEM;
        }
    }
    lua_remove(L, first);
    return ROSTER_STAGE_ROW + (int)n - 1;
}

void roster_stage_context(lua_State *L, int ctx_ref, lua_Integer number, lua_Integer line) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ctx_ref);
    lua_pushinteger(L, number);
    lua_setfield(L, -2, "row");
    lua_pushinteger(L, line);
    lua_setfield(L, -2, "line");
    lua_pushnil(L);
    lua_setfield(L, -2, "warnings");
}

/* Case mapping of ASCII and Latin-1 text in C; anything else goes to the Swift function kept as
   upvalue 1 (Unicode's full mappings). The mappings below are Unicode's for U+0000-U+00FF, checked
   against Swift's uppercased()/lowercased() for every one of those code points by the tests; every
   one keeps its UTF-8 length, so the result is as long as the input. */
static int roster_case_map(lua_State *L) {
    int upper = lua_toboolean(L, lua_upvalueindex(2));
    size_t n = 0;
    const unsigned char *s = NULL;
    if (lua_gettop(L) == 1 && lua_type(L, 1) == LUA_TSTRING) s = (const unsigned char *)lua_tolstring(L, 1, &n);
    int changes = 0;
    for (size_t i = 0; s != NULL && i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z')) changes = 1;
            continue;
        }
        if ((c != 0xC2 && c != 0xC3) || i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) { s = NULL; break; }
        unsigned char d = s[++i];
        if (c == 0xC2) { if (upper && d == 0xB5) changes = 1; continue; }  // U+00B5 MICRO SIGN -> U+039C
        if (upper ? (d >= 0x9F && d != 0xB7) : (d <= 0x9E && d != 0x97)) changes = 1;
    }
    if (s == NULL) {
        lua_pushvalue(L, lua_upvalueindex(1));
        lua_insert(L, 1);
        lua_call(L, lua_gettop(L) - 1, 1);
        return 1;
    }
    if (!changes) {
        lua_settop(L, 1);
        return 1;
    }
    luaL_Buffer b;
    unsigned char *out = (unsigned char *)luaL_buffinitsize(L, &b, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (upper && c >= 'a' && c <= 'z') c -= 32;
            else if (!upper && c >= 'A' && c <= 'Z') c += 32;
            out[i] = c;
            continue;
        }
        unsigned char d = s[i + 1];
        if (c == 0xC2) {
            if (upper && d == 0xB5) { c = 0xCE; d = 0x9C; }
        } else if (upper) {
            if (d == 0x9F) { c = 'S'; d = 'S'; }              // U+00DF -> "SS"
            else if (d == 0xBF) { c = 0xC5; d = 0xB8; }       // U+00FF -> U+0178
            else if (d >= 0xA0 && d != 0xB7) d -= 0x20;       // U+00E0-U+00FE but U+00F7
        } else if (d <= 0x9E && d != 0x97) {
            d += 0x20;                                        // U+00C0-U+00DE but U+00D7
        }
        out[i] = c;
        out[i + 1] = d;
        i++;
    }
    luaL_pushresultsize(&b, n);
    return 1;
}

void roster_push_case_mapping(lua_State *L, int upper) {
    lua_pushboolean(L, upper);
    lua_pushcclosure(L, roster_case_map, 2);
}

void roster_push_row(lua_State *L, int keys, int meta, int n, const void *const *starts, const size_t *lengths) {
    lua_createtable(L, 0, n);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, keys, i + 1);
        const char *p = starts[i];
        lua_pushlstring(L, p ? p : "", p ? lengths[i] : 0);
        lua_rawset(L, -3);
    }
    if (meta) {
        lua_pushvalue(L, meta);
        lua_setmetatable(L, -2);
    }
}

int roster_row_values(lua_State *L, int row, int keys, int n, const void **starts, size_t *lengths, int *numbers) {
    int present = 0;
    *numbers = 0;
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, keys, i + 1);
        switch (lua_rawget(L, row)) {
        case LUA_TNIL:
            starts[i] = "";
            lengths[i] = 0;
            break;
        case LUA_TSTRING:
            starts[i] = lua_tolstring(L, -1, &lengths[i]);
            present++;
            break;
        case LUA_TBOOLEAN:
            if (lua_toboolean(L, -1)) { starts[i] = "true"; lengths[i] = 4; } else { starts[i] = "false"; lengths[i] = 5; }
            present++;
            break;
        case LUA_TNUMBER:
            starts[i] = NULL;
            lengths[i] = (size_t)-1;
            (*numbers)++;
            present++;
            break;
        default:
            return -(i + 1);
        }
    }
    return present;
}

int roster_table_entries(lua_State *L, int t) {
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        n++;
    }
    return n;
}

typedef struct roster_dump_buffer { char *data; size_t len, cap; int failed; } roster_dump_buffer;

static int roster_dump_writer(lua_State *L, const void *p, size_t size, void *ud) {
    (void)L;
    roster_dump_buffer *b = ud;
    if (b->len + size > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + size) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) { b->failed = 1; return 1; }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, size);
    b->len += size;
    return 0;
}

int roster_dump_function(lua_State *L, char **out, size_t *len) {
    roster_dump_buffer b = { NULL, 0, 0, 0 };
    int status = lua_dump(L, roster_dump_writer, &b, 0);
    if (status != 0 || b.failed) { free(b.data); return 1; }
    *out = b.data;
    *len = b.len;
    return 0;
}

int roster_load_dumped(lua_State *L, const char *buf, size_t len, const char *name) {
    return luaL_loadbufferx(L, buf, len, name, "b");
}
