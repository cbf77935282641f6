-- The declarative form: a job the core runs (read -> transform -> check -> upload -> import -> wait),
-- journalled under .roster/journal so a re-run resumes and never imports the same file twice.
--   roster run examples/job.lua examples/data/contacts.csv
--   roster check examples/job.lua examples/data/contacts.csv     (everything but the sending)
-- With no OMNIGAGE_KEY/WHISPIR_API_KEY set, this talks to the built-in sandbox.
local firstbank = require "firstbank"

return roster.job {
  source    = arg[1] or "examples/data/contacts.csv",
  target    = roster.omnigage { account = "firstbank" },
  transform = firstbank.transform,
  mapping   = firstbank.mapping,
  options   = firstbank.options,
  hooks     = firstbank.hooks,
}
