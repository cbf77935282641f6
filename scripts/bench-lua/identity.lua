-- Identity-transform benchmark: every row goes through a Lua map stage that returns it unchanged.
-- usage: roster run scripts/bench-lua/identity.lua IN.csv OUT.csv
local file = roster.write(roster.read(arg[1]):map(function(row) return row end, "identity"), arg[2])
print(string.format("rows=%d bytes=%d", file.rows, file.bytes))
