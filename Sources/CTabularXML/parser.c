// libxml2 SAX2 push parsing behind the small API in CTabularXML.h.
#include "CTabularXML.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct TabularXMLParser {
    xmlParserCtxtPtr ctxt;
    xmlSAXHandler sax;
    TabularXMLCallbacks callbacks;
    void *ctx;
    char *filename;
    int hasError;
    int errorLine;
    int depth;
    char message[512];
};

// Contact documents are a few levels deep; anything deeper is broken or hostile.
#define TABULAR_XML_MAX_DEPTH 64

// The SAX user data is the parser context itself (so libxml2's default SAX2 handlers for the
// DTD still work); our state rides in its `_private`.
static TabularXMLParser *owner(void *userData) {
    xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)userData;
    return ctxt ? (TabularXMLParser *)ctxt->_private : NULL;
}

// Records the first error at the current line and stops the parser: nothing after it is parsed.
static void refuse(void *userData, const char *message) {
    TabularXMLParser *parser = owner(userData);
    if (!parser) return;
    if (!parser->hasError) {
        parser->hasError = 1;
        parser->errorLine = xmlSAX2GetLineNumber(userData);
        snprintf(parser->message, sizeof parser->message, "%s", message);
    }
    xmlStopParser(parser->ctxt);
}

// A DOCTYPE brings entity declarations (billion laughs, external entities): refused before any is read.
static void onDoctype(void *userData, const xmlChar *name, const xmlChar *externalID, const xmlChar *systemID) {
    (void)name; (void)externalID; (void)systemID;
    refuse(userData, "a <!DOCTYPE> is not allowed: Roster never reads DTDs or entity declarations; remove the DOCTYPE and its [...] block");
}

static void onStart(void *userData, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                    int namespaceCount, const xmlChar **namespaces, int attributeCount, int defaultedCount,
                    const xmlChar **attributes) {
    (void)prefix; (void)uri; (void)namespaceCount; (void)namespaces;
    (void)attributeCount; (void)defaultedCount; (void)attributes;
    TabularXMLParser *parser = owner(userData);
    if (!parser || parser->hasError) return;
    if (++parser->depth > TABULAR_XML_MAX_DEPTH) {
        refuse(userData, "elements nested deeper than 64 levels: contact documents are flat; check how the file was exported");
        return;
    }
    parser->callbacks.start(parser->ctx, localname, xmlSAX2GetLineNumber(userData));
}

static void onEnd(void *userData, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)localname; (void)prefix; (void)uri;
    TabularXMLParser *parser = owner(userData);
    if (!parser || parser->hasError) return;
    parser->depth--;
    parser->callbacks.end(parser->ctx);
}

static void onText(void *userData, const xmlChar *bytes, int length) {
    TabularXMLParser *parser = owner(userData);
    if (parser && !parser->hasError && length > 0) parser->callbacks.text(parser->ctx, bytes, length);
}

static void onReference(void *userData, const xmlChar *name) {
    TabularXMLParser *parser = owner(userData);
    if (parser) parser->callbacks.reference(parser->ctx, name);
}

static void onError(void *userData, xmlErrorPtr error) {
    TabularXMLParser *parser = owner(userData);
    if (!parser || !error || parser->hasError) return;
    if (error->level != XML_ERR_ERROR && error->level != XML_ERR_FATAL) return;
    parser->hasError = 1;
    parser->errorLine = error->line;
    snprintf(parser->message, sizeof parser->message, "%s", error->message ? error->message : "XML error");
    size_t n = strlen(parser->message);
    while (n > 0 && (parser->message[n - 1] == '\n' || parser->message[n - 1] == ' ')) parser->message[--n] = 0;
}

// libxml2 prints some encoding errors through its generic channel: they are reported through `serror`
// as well, so the generic channel is silenced (it would write to the user's terminal).
static void silent(void *ctx, const char *message, ...) {
    (void)ctx; (void)message;
}

TabularXMLParser *tabular_xml_create(TabularXMLCallbacks callbacks, void *ctx, const char *filename) {
    TabularXMLParser *parser = calloc(1, sizeof *parser);
    if (!parser) return NULL;
    xmlSetGenericErrorFunc(NULL, silent);
    parser->callbacks = callbacks;
    parser->ctx = ctx;
    parser->filename = filename ? strdup(filename) : NULL;
    xmlSAXVersion(&parser->sax, 2);
    parser->sax.initialized = XML_SAX2_MAGIC;
    parser->sax.startElementNs = onStart;
    parser->sax.endElementNs = onEnd;
    parser->sax.characters = onText;
    parser->sax.cdataBlock = onText;
    parser->sax.ignorableWhitespace = onText;
    parser->sax.reference = onReference;
    parser->sax.serror = onError;
    parser->sax.error = NULL;
    parser->sax.warning = NULL;
    parser->sax.internalSubset = onDoctype;
    parser->sax.externalSubset = NULL;
    parser->sax.entityDecl = NULL;
    parser->sax.resolveEntity = NULL;
    parser->ctxt = xmlCreatePushParserCtxt(&parser->sax, NULL, NULL, 0, parser->filename);
    if (!parser->ctxt) {
        free(parser->filename);
        free(parser);
        return NULL;
    }
    parser->ctxt->_private = parser;
    xmlCtxtUseOptions(parser->ctxt, XML_PARSE_NONET);
    return parser;
}

int tabular_xml_feed(TabularXMLParser *parser, const char *bytes, int length, int terminate) {
    xmlParseChunk(parser->ctxt, bytes, length, terminate);
    if (parser->hasError) return -1;
    if (terminate && !parser->ctxt->wellFormed) {
        parser->hasError = 1;
        parser->errorLine = xmlSAX2GetLineNumber(parser->ctxt);
        snprintf(parser->message, sizeof parser->message, "the document is not well-formed");
        return -1;
    }
    return 0;
}

const char *tabular_xml_error(const TabularXMLParser *parser, int *line) {
    if (!parser->hasError) return NULL;
    if (line) *line = parser->errorLine;
    return parser->message;
}

void tabular_xml_free(TabularXMLParser *parser) {
    if (!parser) return;
    if (parser->ctxt) {
        if (parser->ctxt->myDoc) xmlFreeDoc(parser->ctxt->myDoc);
        parser->ctxt->myDoc = NULL;
        parser->ctxt->_private = NULL;
        xmlFreeParserCtxt(parser->ctxt);
    }
    free(parser->filename);
    free(parser);
}
