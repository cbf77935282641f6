// Debian's libssl-dev: libcrypto's EVP digests and one-shot HMAC. The APIs OpenSSL 3.0 deprecates
// are left out, so Swift cannot call one by mistake.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
