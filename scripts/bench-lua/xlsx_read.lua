-- XLSX read benchmark: stream every row of the first sheet.
-- usage: roster run scripts/bench-lua/xlsx_read.lua IN.xlsx
local n = 0
for _ in roster.read(arg[1]):rows() do n = n + 1 end
print(string.format("rows=%d", n))
