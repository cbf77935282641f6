// Debian's libxml2-dev (pkg-config libxml-2.0): the SAX2 push parser.
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
