-- Omnigage import end to end: read -> transform (plugin firstbank) -> upload -> S3 -> import -> wait.
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
local s = src:stats()
print(string.format("omnigage import %s: %s (created %d, updated %d, erred %d)",
  imp.id, imp.status, imp.count_created or 0, imp.count_updated or 0, imp.count_erred or 0))
print(string.format("rows: read %d, sent %d, skipped %d, rejected %d", s.read, s.sent, s.skipped, s.rejected))
