/*
 * Strict HTTP/1.1 message framing (RFC 9112), checked before a request is
 * routed. libmicrohttpd 0.9.75 is lenient where leniency lets one request
 * hide inside another (request smuggling) once a proxy and Liveline read a
 * message differently: it reads a request with both Content-Length and
 * Transfer-Encoding as chunked, takes the first of two Content-Lengths, keeps
 * a header whose name ends in a space under that name, appends a folded
 * line (obs-fold) to the field's name, so that "Content-Length:" then " 41"
 * is no length at all, and waits for the close of a body in a transfer
 * coding it does not know. None of its options
 * turns that off (MHD_OPTION_STRICT_FOR_CLIENT only demands Host and
 * refuses spaces in the URL; at -1 it closes without an answer). So we look
 * at the headers ourselves, once, before anything else sees the request.
 *
 * It also bounds the query parameters, which libmicrohttpd keeps in the
 * connection's memory pool (--connection-memory): a URL with more than fit
 * made it close the connection without an answer. The URI callback
 * (http_framing_uri, installed as MHD_OPTION_URI_LOG_CALLBACK) counts them
 * before libmicrohttpd parses them, and the request is answered 414.
 */
#ifndef LIVELINE_HTTP_FRAMING_H
#define LIVELINE_HTTP_FRAMING_H

#include "http/http_internal.h"

/* Query parameters a request may have; more get 414. Each costs about 56
 * bytes of the connection's pool (8 KiB by default) in libmicrohttpd 0.9.75. */
#define HTTP_MAX_ARGS 64

/* For MHD_OPTION_URI_LOG_CALLBACK: returns the request's first *con_cls,
 * NULL for a normal request. Over HTTP_MAX_ARGS, it cuts the query string in
 * libmicrohttpd's own buffer (which libmicrohttpd cuts at the '?' itself
 * right after this call), so that only the first parameters are parsed,
 * and marks the request to be answered 414. */
void *http_framing_uri(void *cls, const char *uri, struct MHD_Connection *conn);

/* Called first in the access handler, on every call. On the first call of a
 * request whose framing is faulty, answers it (400, 501 or 414, and the
 * connection is closed after) and returns 1 with the handler's result in
 * *ret; on the later calls of that request, discards any body and returns 1.
 * Returns 0 for a request to be served as usual. */
int http_check_framing(struct http_request *req, size_t *upload_data_size,
		       enum MHD_Result *ret);

/* 1 if `p` (a request's *con_cls) belongs to this module: not to be freed. */
int http_framing_owns(const void *p);

#endif
