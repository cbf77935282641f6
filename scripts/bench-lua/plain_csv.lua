-- Plain Lua 5.4 peer for the CSV benchmarks: what a hand-written lua5.4 script does without Roster.
-- usage: lua5.4 scripts/bench-lua/plain_csv.lua identity|upper|transform IN.csv OUT.csv
--
-- The split is only right for the input scripts/bench-data/gen_csv.py makes, not for CSV at large:
-- it assumes no line break inside a quoted field, no empty quoted field ("") and no \1 byte. An
-- escaped quote ("") is turned into \1 for the whole line first, so that a quoted field is then
-- "[^"]*" and one gmatch per line splits it (a table per row); \1 goes back to "" (quoted) when the
-- row is written with table.concat. Output: CRLF, fields quoted only when they need it, as Roster.
-- upper: City upper-cased as roster.text.upper does it for this input (string.upper is byte-wise,
-- so the Latin-1 letters, the only non-ASCII ones in City, are mapped by a table: ó -> Ó ...).
local mode, inpath, outpath = arg[1], arg[2], arg[3]
local gmatch, gsub, find, sub, byte, char = string.gmatch, string.gsub, string.find, string.sub, string.byte, string.char
local upper, lower, concat = string.upper, string.lower, table.concat

local LATIN1_UP = {}
for b = 0xA0, 0xBE do if b ~= 0xB7 then LATIN1_UP["\xC3" .. char(b)] = "\xC3" .. char(b - 0x20) end end
local function upper_utf8(s) return (gsub(upper(s), "\xC3[\xA0-\xBE]", LATIN1_UP)) end

local function split(line, row)
  local n = 0
  for _, field in gmatch(line, '("?)(.-)%1,') do n = n + 1; row[n] = field end
  return n
end

-- a field needs quotes when it holds a comma, an escaped quote (\1) or a line break
local function quote(field)
  if find(field, "[,\1\r\n]") then return '"' .. field .. '"' end
  return field
end

local input = assert(io.open(inpath, "rb"))
local output = assert(io.open(outpath, "wb"))
output:setvbuf("full", 1 << 16)

local header = input:read("l")
if byte(header, -1) == 13 then header = sub(header, 1, -2) end
local names = {}
split(header .. ",", names)
local col = {}
for i, name in ipairs(names) do col[name] = i end
output:write(header, "\r\n")

local EMAIL, PHONE, CITY = col["Email"], col["Phone"], col["City"]
local change
if mode == "upper" then
  change = function(row) row[CITY] = upper_utf8(row[CITY]) end
elseif mode == "transform" then
  change = function(row)
    row[EMAIL] = lower((gsub(gsub(row[EMAIL], "^%s+", ""), "%s+$", "")))
    local digits = gsub(row[PHONE], "%D", "")
    if #digits == 10 then digits = "1" .. digits end
    row[PHONE] = "+" .. digits
    row[CITY] = upper_utf8(row[CITY])
  end
elseif mode ~= "identity" then
  error("mode must be identity, upper or transform")
end

for line in input:lines("l") do
  if byte(line, -1) == 13 then line = sub(line, 1, -2) end
  line = gsub(line, '""', "\1")
  local row = {}
  local n = split(line .. ",", row)
  if change then change(row) end
  for i = 1, n do row[i] = quote(row[i]) end
  output:write((gsub(concat(row, ",", 1, n), "\1", '""')), "\r\n")
end
input:close()
output:close()
