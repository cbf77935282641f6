-- Transform benchmark: the reference transform of docs/dependencies.md through a Lua map stage.
-- City goes through roster.text.upper, not string.upper: the peers' upper() is Unicode and
-- string.upper is byte-wise ("Kraków" -> "KRAKóW"), and every peer's output must equal Roster's.
-- (string.lower is kept for Email: the generated emails are lower-case already.)
-- usage: roster run scripts/bench-lua/transform.lua IN.csv OUT.csv
local gsub, lower = string.gsub, string.lower
local upper = roster.text.upper
local src = roster.read(arg[1])
local out = src:map(function(row)
  row["Email"] = lower((gsub(row["Email"], "^%s+", ""):gsub("%s+$", "")))
  local digits = gsub(row["Phone"], "%D", "")
  if #digits == 10 then digits = "1" .. digits end
  row["Phone"] = "+" .. digits
  row["City"] = upper(row["City"])
  return row
end, "transform")
local file = roster.write(out, arg[2])
local st = src:stats()
print(string.format("rows=%d read=%d sent=%d skipped=%d rejected=%d", file.rows, st.read, st.sent, st.skipped, st.rejected))
