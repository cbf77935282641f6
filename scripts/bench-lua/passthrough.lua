-- Pass-through benchmark: read a table and write it back as CSV, untransformed.
-- usage: roster run scripts/bench-lua/passthrough.lua IN.csv OUT.csv
local file = roster.write(roster.read(arg[1]), arg[2])
print(string.format("rows=%d bytes=%d", file.rows, file.bytes))
