-- Omnigage import, imperative form: read -> transform (plugin firstbank) -> og:import, which runs the
-- same job as roster.job (upload -> S3 -> import -> wait, with the plugin's hooks and the journal).
--   roster run examples/omnigage_import.lua examples/data/contacts.csv
-- With no OMNIGAGE_KEY/WHISPIR_API_KEY set, this talks to the built-in sandbox.
local firstbank = require "firstbank"

local path = arg[1] or "examples/data/contacts.csv"
local src = roster.read(path)
local out = src:map(firstbank.transform, "firstbank.transform")

local og = roster.omnigage { account = "firstbank" }
local opts = { mapping = firstbank.mapping, hooks = firstbank.hooks }
for k, v in pairs(firstbank.options) do opts[k] = v end

local imp = og:import(out, opts)
if imp.already_imported then
  print("already imported: " .. imp.id)
else
  print(string.format("omnigage import %s: %s (created %d, updated %d, erred %d)",
    imp.id, imp.status, imp.created or 0, imp.updated or 0, imp.erred or 0))
end
print(string.format("rows: read %d, sent %d, skipped %d, rejected %d", imp.read, imp.sent, imp.skipped, imp.rejected))
