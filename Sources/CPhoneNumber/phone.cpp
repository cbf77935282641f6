// The C surface over libphonenumber: parse once, report every fact Swift needs.
#include "CPhoneNumber.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <set>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

// The library's singleton, with its logging silenced (its messages would reach the user's terminal).
const PhoneNumberUtil *util() {
    static const PhoneNumberUtil *instance = [] {
        PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
        u->SetLogger(new i18n::phonenumbers::NullLogger());
        return u;
    }();
    return instance;
}

void copy(char *dest, size_t size, const std::string &text) {
    size_t n = text.size() < size - 1 ? text.size() : size - 1;
    std::memcpy(dest, text.data(), n);
    dest[n] = 0;
}

int errorCode(PhoneNumberUtil::ErrorType e) {
    switch (e) {
    case PhoneNumberUtil::NO_PARSING_ERROR: return ROSTER_PHONE_OK;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return ROSTER_PHONE_INVALID_COUNTRY;
    case PhoneNumberUtil::NOT_A_NUMBER: return ROSTER_PHONE_NOT_A_NUMBER;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return ROSTER_PHONE_TOO_SHORT_AFTER_IDD;
    case PhoneNumberUtil::TOO_SHORT_NSN: return ROSTER_PHONE_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG_NSN: return ROSTER_PHONE_TOO_LONG;
    }
    return ROSTER_PHONE_NOT_A_NUMBER;
}

}  // namespace

extern "C" int roster_phone_known_region(const char *region) {
    if (region == nullptr) return 0;
    std::set<std::string> regions;
    util()->GetSupportedRegions(&regions);
    return regions.count(region) ? 1 : 0;
}

extern "C" void roster_phone_parse(const char *text, const char *region, roster_phone_info *out) {
    std::memset(out, 0, sizeof *out);
    const PhoneNumberUtil *u = util();
    std::string from = (region != nullptr && region[0] != 0) ? region : "ZZ";
    if (from != "ZZ" && !roster_phone_known_region(from.c_str())) {
        out->error = ROSTER_PHONE_UNKNOWN_REGION;
        return;
    }
    PhoneNumber number;
    PhoneNumberUtil::ErrorType error = u->Parse(text == nullptr ? "" : text, from, &number);
    out->error = errorCode(error);
    if (error != PhoneNumberUtil::NO_PARSING_ERROR) return;
    out->valid = u->IsValidNumber(number) ? 1 : 0;
    out->possible = u->IsPossibleNumber(number) ? 1 : 0;
    out->type = static_cast<int>(u->GetNumberType(number));
    out->country_code = number.country_code();
    std::string s;
    u->GetRegionCodeForNumber(number, &s);
    copy(out->region, sizeof out->region, s.empty() ? "ZZ" : s);
    u->Format(number, PhoneNumberUtil::E164, &s);
    copy(out->e164, sizeof out->e164, s);
    u->Format(number, PhoneNumberUtil::NATIONAL, &s);
    copy(out->national, sizeof out->national, s);
    u->Format(number, PhoneNumberUtil::INTERNATIONAL, &s);
    copy(out->international, sizeof out->international, s);
}
