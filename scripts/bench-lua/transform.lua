-- Transform benchmark: the reference transform of docs/dependencies.md through a Lua map stage.
-- usage: roster run scripts/bench-lua/transform.lua IN.csv OUT.csv
local gsub, lower, upper, sub = string.gsub, string.lower, string.upper, string.sub
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
