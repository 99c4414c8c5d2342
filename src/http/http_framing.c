/*
 * Strict HTTP/1.1 framing: see http_framing.h. The rules are RFC 9112's:
 * section 6.1 (Transfer-Encoding: only "chunked", which we support, and never
 * with Content-Length or in HTTP/1.0), 6.3 (Content-Length: one, all digits),
 * 5.1 (no whitespace between a field name and its colon; a name is a token)
 * and 5.2 (no obsolete line folding in the framing fields). A faulty request
 * is answered and the connection closed: what follows its headers cannot be
 * told apart from a next request.
 */
#include "http/http_framing.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The request's *con_cls while it is being refused. */
static int http_framing_too_many_args;
static int http_framing_refused;

int http_framing_owns(const void *p)
{
	return p == &http_framing_too_many_args || p == &http_framing_refused;
}

void *http_framing_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	char *q = strchr(uri, '?');
	unsigned n = 0;

	(void)cls;
	(void)conn;
	if (!q)
		return NULL;
	for (char *p = q + 1; *p; p++) {
		if (*p != '&')
			continue;
		if (++n >= HTTP_MAX_ARGS) {
			/* Our request buffer too (see http_framing.h): the rest of the
			 * query is never parsed, and the request is refused anyway. */
			*p = '\0';
			return &http_framing_too_many_args;
		}
	}
	return NULL;
}

/* 1 if `s` is a token (RFC 9110 5.6.2): a field name. */
static int http_token(const char *s)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";

	if (!*s)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(tchar, c)))
			return 0;
	}
	return 1;
}

struct http_framing_scan {
	unsigned content_length; /* Content-Length fields */
	unsigned transfer_encoding;
	int bad_name;
	int folded; /* a framing field folded over lines (obs-fold) */
	int bad_length;
	int unknown_coding; /* a Transfer-Encoding other than "chunked" alone */
	unsigned host;      /* Host fields */
};

static enum MHD_Result http_framing_field(void *cls, enum MHD_ValueKind kind, const char *key,
					  const char *value)
{
	struct http_framing_scan *sc = cls;

	(void)kind;
	if (!key || !http_token(key)) {
		sc->bad_name = 1;
		return MHD_YES;
	}
	/* libmicrohttpd 0.9.75 appends a folded line (obs-fold: a line that
	 * starts with a space or tab) to the field's name, not to its value:
	 * "Content-Length:" then " 41" reaches us as a field named
	 * "Content-Length41", and the body is read as empty, while a proxy that
	 * unfolds it, as RFC 9112 5.2 allows, forwards 41 bytes of body. */
	if ((strncasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH,
			 strlen(MHD_HTTP_HEADER_CONTENT_LENGTH)) == 0 &&
	     strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0) ||
	    (strncasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING,
			 strlen(MHD_HTTP_HEADER_TRANSFER_ENCODING)) == 0 &&
	     strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) != 0)) {
		sc->folded = 1;
		return MHD_YES;
	}
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		sc->content_length++;
		if (!value || !*value || strspn(value, "0123456789") != strlen(value) ||
		    strlen(value) > 18)
			sc->bad_length = 1;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
		sc->host++;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		sc->transfer_encoding++;
		if (!value || strcasecmp(value, "chunked") != 0)
			sc->unknown_coding = 1;
	}
	return MHD_YES;
}

/* Answers `status` with a short plain-text reason and closes the connection. */
static enum MHD_Result http_framing_answer(struct http_request *req, unsigned status,
					   const char *why)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(why), (void *)why, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, HTTP_CT_TEXT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	req->answer_bytes = strlen(why);
	/* Without HSTS: a request this broken says nothing we trust. */
	return http_respond(req, status, r, HTTP_HEADERS_READER_PLAIN);
}

int http_check_framing(struct http_request *req, size_t *upload_data_size,
		       enum MHD_Result *ret)
{
	struct http_framing_scan sc = { 0 };
	unsigned status = 0;
	const char *why = NULL;

	if (*req->con_cls == &http_framing_refused) {
		*upload_data_size = 0; /* the answer is on its way; the connection closes */
		*ret = MHD_YES;
		return 1;
	}
	if (*req->con_cls == &http_framing_too_many_args) {
		status = MHD_HTTP_URI_TOO_LONG;
		why = "The address has too many query parameters.\n";
	} else if (*req->con_cls != NULL) {
		return 0; /* not the first call */
	} else {
		MHD_get_connection_values(req->conn, MHD_HEADER_KIND, http_framing_field, &sc);
		if (sc.bad_name) {
			status = MHD_HTTP_BAD_REQUEST;
			why = "A header field name is malformed (no space may precede its colon).\n";
		} else if (sc.folded) {
			status = MHD_HTTP_BAD_REQUEST;
			why = "Content-Length or Transfer-Encoding is folded over lines (obsolete "
			      "line folding is refused).\n";
		} else if (sc.host > 1 || (sc.host == 0 && http_chunked(req))) {
			/* RFC 9112 3.2: an HTTP/1.1 request names its host once. */
			status = MHD_HTTP_BAD_REQUEST;
			why = "An HTTP/1.1 request must have exactly one Host header field.\n";
		} else if (sc.transfer_encoding && (sc.content_length || !http_chunked(req))) {
			status = MHD_HTTP_BAD_REQUEST;
			why = "Transfer-Encoding with Content-Length, or in HTTP/1.0: the message's "
			      "length is ambiguous.\n";
		} else if (sc.content_length > 1 || sc.bad_length) {
			status = MHD_HTTP_BAD_REQUEST;
			why = "Content-Length must be given once, as digits.\n";
		} else if (sc.transfer_encoding > 1 || sc.unknown_coding) {
			status = MHD_HTTP_NOT_IMPLEMENTED;
			why = "The only transfer coding taken is chunked, alone.\n";
		}
	}
	if (!status)
		return 0;
	*req->con_cls = &http_framing_refused;
	*upload_data_size = 0;
	*ret = http_framing_answer(req, status, why);
	return 1;
}
