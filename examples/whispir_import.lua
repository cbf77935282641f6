-- Whispir import: read -> transform (plugin acme_whispir) -> wh:import (split under 10 MB, one
-- resource and one import per part, journalled).
--   roster run examples/whispir_import.lua examples/data/contacts.csv
-- With no OMNIGAGE_KEY/WHISPIR_API_KEY set, this talks to the built-in sandbox.
local acme = require "acme_whispir"

local path = arg[1] or "examples/data/contacts.csv"
local src = roster.read(path)
local out = src:map(acme.transform, "acme.transform")

local wh = roster.whispir {}
local result = wh:import(out, { import_mode = acme.options.import_mode, field_mapping = acme.mapping })
for i, imp in ipairs(result.imports) do
  -- A re-run finds the job already imported: its parts' counts are then unknown (roster.json.null).
  local rows = imp.total ~= roster.json.null and imp.total or "?"
  print(string.format("part %d: import %s, resource %s, %s rows", i, imp.id, imp.resource or "?", rows))
end
print(string.format("whispir import: %d rows in %d part(s)", result.sent, #result.imports))
print(string.format("rows: read %d, sent %d, skipped %d, rejected %d", result.read, result.sent, result.skipped, result.rejected))
