-- Light-transform benchmark: one column upper-cased in a Lua map stage.
-- roster.text.upper, not string.upper: the peers' upper() is Unicode, string.upper is byte-wise
-- ("Kraków" -> "KRAKóW"), and every peer's output must equal Roster's.
-- usage: roster run scripts/bench-lua/upper.lua IN.csv OUT.csv
local upper = roster.text.upper
local file = roster.write(roster.read(arg[1]):map(function(row)
  row["City"] = upper(row["City"])
  return row
end, "upper"), arg[2])
print(string.format("rows=%d bytes=%d", file.rows, file.bytes))
