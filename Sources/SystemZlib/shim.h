// Debian's zlib1g-dev: crc32 and inflate.
#include <zlib.h>
