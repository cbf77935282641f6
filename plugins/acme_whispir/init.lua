-- Acme (a Whispir customer): staff list with mobile numbers in local or international form.
-- Used by examples/whispir_import.lua.
local M = {
  name = "acme_whispir",
  version = "1.0.0",
  description = "Acme staff list -> Whispir contacts (digits-only mobiles, default country and time zone)",
}

local function trim(s) return ((s or ""):gsub("^%s+", ""):gsub("%s+$", "")) end

-- Regions libphonenumber reads a local number in, by the file's country names (Australia when blank).
local regions = { Australia = "AU", ["New Zealand"] = "NZ", ["United States"] = "US", ["United Kingdom"] = "GB" }

-- Whispir stores mobiles as digits with the country code: "0423 456 789" -> "61423456789",
-- "(407) 634-1732" in the United States -> "14076341732". nil and the reason when it is no number.
function M.normalize_mobile(raw, country)
  local e164, why = roster.phone.e164(trim(raw), regions[trim(country)] or "AU")
  if not e164 then return nil, why end
  return e164:sub(2)
end

function M.transform(row)
  local mobile, why = M.normalize_mobile(row.workMobilePhone1, row.workCountry)
  if not mobile then return nil, "no usable mobile number: " .. why end
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
