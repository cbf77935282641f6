-- Acme (a Whispir customer): staff list with mobile numbers in local or international form.
-- Used by examples/whispir_import.lua.
local M = {
  name = "acme_whispir",
  version = "1.0.0",
  description = "Acme staff list -> Whispir contacts (digits-only mobiles, default country and time zone)",
}

local function trim(s) return ((s or ""):gsub("^%s+", ""):gsub("%s+$", "")) end

-- Whispir stores mobiles as digits with the country code: "0423 456 789" -> "61423456789".
function M.normalize_mobile(raw)
  local digits = trim(raw):gsub("[%s%(%)%-%./]", ""):gsub("^%+", "")
  if digits == "" then return nil end
  if digits:sub(1, 1) == "0" then digits = "61" .. digits:sub(2) end
  if not digits:match("^%d+$") or #digits < 9 then return nil end
  return digits
end

function M.transform(row)
  local mobile = M.normalize_mobile(row.workMobilePhone1)
  if not mobile then return nil, "no usable mobile number" end
  row.workMobilePhone1 = mobile
  row.workEmailAddress1 = trim(row.workEmailAddress1):lower()
  row.firstName, row.lastName = trim(row.firstName), trim(row.lastName)
  if trim(row.workCountry) == "" then row.workCountry = "Australia" end
  if trim(row.timezone) == "" then row.timezone = "+10" end
  return row
end

-- { [whispir_field] = column }. (The vendor's sample maps workMobilePhone1 to the email column: not here.)
M.mapping = {
  firstName = "firstName",
  lastName = "lastName",
  workEmailAddress1 = "workEmailAddress1",
  workMobilePhone1 = "workMobilePhone1",
  workCountry = "workCountry",
  timezone = "timezone",
}

M.options = { import_mode = "replace" }

return M
