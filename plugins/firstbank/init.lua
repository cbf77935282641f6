-- First Bank (Omnigage account "firstbank"): their CRM exports Whispir-style columns; Omnigage
-- wants E.164 phones and clean emails. Used by examples/omnigage_import.lua.
local M = {
  name = "firstbank",
  version = "1.0.0",
  description = "First Bank CRM export -> Omnigage contacts (E.164 phones, lower-case emails)",
}

local function trim(s) return ((s or ""):gsub("^%s+", ""):gsub("%s+$", "")) end

-- "(407) 634-1732" -> "+14076341732"; "61423456789" -> "+61423456789"; nil, why for anything else.
function M.normalize_phone(raw)
  local text = trim(raw)
  if text == "" then return nil, "no phone" end
  local plus = text:sub(1, 1) == "+"
  local digits = text:gsub("[%s%(%)%-%./]", ""):gsub("^%+", "")
  if not digits:match("^%d+$") then return nil, "phone has letters: " .. text end
  if not plus and #digits == 10 then digits = "1" .. digits end
  if #digits < 11 or #digits > 15 then return nil, "phone has " .. #digits .. " digits: " .. text end
  return "+" .. digits
end

function M.normalize_email(raw)
  local email = trim(raw):lower()
  if email == "" then return nil, "no email" end
  if not email:match("^[^@%s,;]+@[^@%s,;]+%.[^@%s,;]+$") then return nil, "not an email: " .. email end
  return email
end

-- One CRM row -> one Omnigage row; rows with neither phone nor email are skipped with a reason.
function M.transform(row)
  local phone = M.normalize_phone(row.workMobilePhone1)
  local email = M.normalize_email(row.workEmailAddress1)
  if not phone and not email then return nil, "no usable phone or email" end
  return {
    ["First Name"] = trim(row.firstName),
    ["Last Name"] = trim(row.lastName),
    ["Phone"] = phone or "",
    ["Email"] = email or "",
  }
end

-- { [omnigage_field] = column written by transform }
M.mapping = {
  ["first-name"] = "First Name",
  ["last-name"] = "Last Name",
  ["phone1-phone-number"] = "Phone",
  ["email1-email-address"] = "Email",
}

M.options = { unique_primary_phone = true, unique_primary_email = false }

M.hooks = {
  -- file = { path, name, type, size, rows, header }: change it in place (or return a new table).
  before_upload = function(file)
    file.name = os.date("!firstbank-%Y%m%d.csv")
  end,
  -- result: the import after its final state (id, status, created, updated, erred, total, ...).
  after_import = function(result)
    roster.log.info(string.format("firstbank import %s finished: %s (created %s)", result.id, result.status,
      tostring(result.created)))
  end,
}

return M
