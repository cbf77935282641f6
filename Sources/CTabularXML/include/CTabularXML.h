// A narrow C surface over libxml2's SAX2 push parser for Tabular's XML reader.
// libxml2's own headers stay inside parser.c: imported into Swift they bring Debian's ICU headers,
// whose UErrorCode clashes with Foundation's bundled ICU in any module that also imports Foundation.
#ifndef CTABULARXML_H
#define CTABULARXML_H

/// What the parser reports; `ctx` is the pointer given to `tabular_xml_create`.
typedef struct TabularXMLCallbacks {
    /// An element starts: its local name (namespace prefix dropped) and line.
    void (*start)(void *ctx, const unsigned char *localname, int line);
    /// The innermost open element ends.
    void (*end)(void *ctx);
    /// Text or CDATA inside an element; may arrive in several pieces.
    void (*text)(void *ctx, const unsigned char *bytes, int length);
    /// An entity reference that was left unexpanded.
    void (*reference)(void *ctx, const unsigned char *name);
} TabularXMLCallbacks;

typedef struct TabularXMLParser TabularXMLParser;

/// A push parser with XML_PARSE_NONET (never NOENT or DTDLOAD); NULL when out of memory.
TabularXMLParser *tabular_xml_create(TabularXMLCallbacks callbacks, void *ctx, const char *filename);

/// Feeds `length` bytes (terminate = 1 with the last call). Returns 0, or -1 once the document is not well-formed.
int tabular_xml_feed(TabularXMLParser *parser, const char *bytes, int length, int terminate);

/// The first error's message (NULL when none) and its line in `*line`.
const char *tabular_xml_error(const TabularXMLParser *parser, int *line);

/// Frees the parser and everything libxml2 built for it.
void tabular_xml_free(TabularXMLParser *parser);

#endif
