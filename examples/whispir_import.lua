-- Whispir import end to end: read -> transform (plugin acme_whispir) -> resources -> imports.
--   roster run examples/whispir_import.lua examples/data/contacts.csv
-- With no OMNIGAGE_KEY/WHISPIR_API_KEY set, this talks to the built-in sandbox.
local acme = require "acme_whispir"

local path = arg[1] or "examples/data/contacts.csv"
local src = roster.read(path)
local out = src:map(acme.transform, "acme.transform")

local wh = roster.whispir {}
local result = wh:import(out, { import_mode = acme.options.import_mode, field_mapping = acme.mapping })
for i, part in ipairs(result.parts) do
  print(string.format("part %d: resource %s, %d rows, %d bytes, import %s", i, part.resource, part.rows, part.bytes,
    part.import_id or "?"))
end
local s = src:stats()
print(string.format("whispir import: %d rows in %d part(s)", result.rows, #result.parts))
print(string.format("rows: read %d, sent %d, skipped %d, rejected %d", s.read, s.sent, s.skipped, s.rejected))
