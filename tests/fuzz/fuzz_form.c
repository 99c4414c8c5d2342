/*
 * Fuzz target: the newsroom's form bodies (src/http/http_newsroom.c): a POST
 * body, urlencoded or multipart, read by libmicrohttpd's post processor into
 * our fields and turned into the JSON the API takes
 * (http_newsroom_form_json). The input is "CONTENT-TYPE\nBODY": the first line
 * is the request's Content-Type (so the fuzzer also varies the multipart
 * boundary), the rest its body. The request travels through a real
 * libmicrohttpd connection (a socket pair added to a daemon without a listening
 * socket), because the post processor reads the Content-Type from the
 * connection. Checked: no crash, no leak; an accepted form gives an object
 * whose strings are the fields' text.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "fuzz.h"
#include "http/http_internal.h"

struct fuzz_req {
	struct buf body;
	int done;
};

static struct MHD_Daemon *fuzz_daemon;
static int fuzz_answered;

static enum MHD_Result fuzz_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version,
				    const char *upload_data, size_t *upload_data_size,
				    void **con_cls)
{
	static char empty[] = "";
	struct http_request req = { 0 };
	struct fuzz_req *fr = *con_cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	json_t *in;

	(void)cls;
	if (!fr) {
		fr = calloc(1, sizeof(*fr));
		if (!fr)
			return MHD_NO;
		buf_init(&fr->body, (size_t)4 << 20);
		buf_append(&fr->body, "", 0);
		*con_cls = fr;
		return MHD_YES;
	}
	if (*upload_data_size) {
		buf_append(&fr->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	req.conn = conn;
	req.method = method;
	req.path = url;
	req.version = version;
	req.body = fr->body.data;
	req.body_len = fr->body.len;
	in = json_object();
	FUZZ_CHECK(in != NULL, "out of memory");
	if (http_newsroom_form_json(&req, in) == 0) {
		const char *key;
		json_t *v;

		json_object_foreach(in, key, v)
			FUZZ_CHECK(json_is_string(v) || json_is_boolean(v) || json_is_integer(v) ||
					   json_is_array(v),
				   "field %s has an odd type", key);
	}
	json_decref(in);
	fuzz_answered = 1;
	r = MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static void fuzz_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct fuzz_req *fr = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (fr) {
		buf_cleanup(&fr->body);
		free(fr);
		*con_cls = NULL;
	}
}

static void fuzz_stop(void)
{
	MHD_stop_daemon(fuzz_daemon);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_daemon = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, fuzz_handler,
				       NULL, MHD_OPTION_NOTIFY_COMPLETED, fuzz_completed, NULL,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	FUZZ_CHECK(fuzz_daemon != NULL, "MHD_start_daemon");
	atexit(fuzz_stop);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct buf rq;
	size_t ct_len, sent = 0;
	char sink[4096];
	int sv[2], closed = 0;

	if (!nl)
		return 0;
	ct_len = (size_t)(nl - data);
	/* A header value cannot hold a line break or a NUL. */
	for (size_t i = 0; i < ct_len; i++)
		if (data[i] == '\r' || data[i] == '\0')
			return 0;
	buf_init(&rq, (size_t)8 << 20);
	buf_printf(&rq,
		   "POST /newsroom/fuzz HTTP/1.1\r\nHost: fuzz\r\nContent-Type: %.*s\r\n"
		   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		   (int)ct_len, (const char *)data, size - ct_len - 1);
	buf_append(&rq, nl + 1, size - ct_len - 1);
	FUZZ_CHECK(!rq.err, "out of memory");
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair");
	FUZZ_CHECK(MHD_add_connection(fuzz_daemon, sv[0], (struct sockaddr *)&peer,
				      sizeof(peer)) == MHD_YES, "MHD_add_connection");
	fuzz_answered = 0;
	/* Send the request and read the answer until libmicrohttpd closes the
	 * connection (Connection: close); bounded, in case it never does. */
	for (int round = 0; round < 100000 && !closed; round++) {
		ssize_t n;

		if (sent < rq.len) {
			n = write(sv[1], rq.data + sent, rq.len - sent);
			if (n > 0)
				sent += (size_t)n;
		}
		MHD_run(fuzz_daemon);
		n = read(sv[1], sink, sizeof(sink));
		if (n == 0 || (n < 0 && errno != EAGAIN))
			closed = 1;
	}
	FUZZ_CHECK(closed, "the connection was never closed");
	close(sv[1]);
	MHD_run(fuzz_daemon);
	buf_cleanup(&rq);
	return 0;
}
