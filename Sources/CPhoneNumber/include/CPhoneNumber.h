// A C surface over libphonenumber (C++), so Swift never sees its headers.
#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Why a number could not be parsed (libphonenumber's ErrorType), or 0.
enum roster_phone_error {
    ROSTER_PHONE_OK = 0,
    ROSTER_PHONE_INVALID_COUNTRY = 1,
    ROSTER_PHONE_NOT_A_NUMBER = 2,
    ROSTER_PHONE_TOO_SHORT_AFTER_IDD = 3,
    ROSTER_PHONE_TOO_SHORT = 4,
    ROSTER_PHONE_TOO_LONG = 5,
    ROSTER_PHONE_UNKNOWN_REGION = 6,
};

/// What one parse found. Strings are NUL-terminated and truncated to their buffers (ample for any number).
typedef struct {
    int error;              ///< a roster_phone_error
    int valid;              ///< a valid number for its region
    int possible;           ///< a possible length for its region
    int type;               ///< libphonenumber's PhoneNumberType (0 fixed line, 1 mobile, 2 fixed line or mobile, ... 11 unknown)
    int country_code;
    char region[8];         ///< ISO 3166 region of the number ("ZZ" when none)
    char e164[32];
    char national[64];
    char international[64];
} roster_phone_info;

/// Parses `text` as dialled from `region` (ISO 3166 alpha-2, or NULL/"" for numbers written with +).
void roster_phone_parse(const char *text, const char *region, roster_phone_info *out);

/// 1 when `region` is a region libphonenumber knows.
int roster_phone_known_region(const char *region);

#ifdef __cplusplus
}
#endif

#endif
