/*
 * The newsroom's thread: every newsroom and API request runs here, not on the
 * worker's request loop, so that a slow one (an image decoded by libvips, a
 * long Markdown body parsed by cmark, a password hashed) never makes a reader
 * of that worker wait.
 *
 * Each worker has one such thread, with a store connection of its own (the
 * worker's connection, page cache and stream hub are never touched from it).
 * Jobs run one at a time, in the order they were submitted. The hand-over
 * rides on libmicrohttpd's suspend and resume:
 *
 *   worker's thread (access handler)          newsroom thread
 *   request complete: http_offload_submit()
 *     suspends the connection, queues ──────→ job->run(job, store): builds
 *                                              the answer, queues nothing
 *                                             marks the job done, resumes the
 *   its loop wakes on http_offload_fd() ←──── connection, signals the fd
 *   http_offload_collect(); MHD_run() calls
 *   the handler again: http_offload_state()
 *   is HTTP_JOB_DONE, it queues the answer
 *
 * Lifetimes. libmicrohttpd neither times out nor notices the close of a
 * suspended connection (0.9.75: suspending takes the connection out of the
 * daemon's epoll set and timeout lists; a client that hangs up is noticed
 * after the resume), so a connection, its request and the job in it outlive
 * the job's run: the request-completed callback only comes after the resume.
 * Once it has resumed a connection, the thread never touches that job again.
 * libmicrohttpd refuses to stop with connections still suspended, so
 * http_offload_stop() resumes those whose jobs will never run.
 *
 * Why an fd of our own: libmicrohttpd 0.9.75 drops its inter-thread channel
 * (MHD_USE_ITC) when the application runs the event loop, as a worker does,
 * so MHD_resume_connection() alone wakes nobody.
 *
 * A suspended connection still counts in libmicrohttpd's connection count,
 * hence against the worker's connection cap.
 */
#ifndef LIVELINE_HTTP_OFFLOAD_H
#define LIVELINE_HTTP_OFFLOAD_H

#include <stddef.h>

#include <microhttpd.h>

#include "store/store.h"

enum http_job_state {
	HTTP_JOB_IDLE = 0,  /* not submitted */
	HTTP_JOB_QUEUED,    /* waiting for the thread */
	HTTP_JOB_RUNNING,   /* run() is running on the thread */
	HTTP_JOB_DONE,      /* run() returned; the connection was resumed */
	HTTP_JOB_ABANDONED, /* never run: the thread stopped first (resumed too) */
};

/* A unit of work, embedded by the caller in its request (zeroed). */
struct http_job {
	/* Runs on the newsroom thread with its store; set before submitting. */
	void (*run)(struct http_job *job, struct store *st);
	/* The offload's own. */
	struct MHD_Connection *conn;
	enum http_job_state state; /* under the offload's lock */
	struct http_job *next;
};

struct http_offload;

/* Starts the thread, which uses `st` (borrowed; from now on used by that
 * thread only, until http_offload_stop() returns). The thread is created at
 * the caller's priority (see util/prio.h: a worker makes it before raising
 * its own). Returns NULL with a reason in err. */
struct http_offload *http_offload_new(struct store *st, char *err, size_t errlen);
/* Stops the thread: the job it runs is finished, the queued ones are marked
 * HTTP_JOB_ABANDONED and their connections resumed (answer them, or let
 * MHD_stop_daemon() close them). Idempotent. Call before MHD_stop_daemon(). */
void http_offload_stop(struct http_offload *o);
/* Frees what http_offload_stop() left (stops first if needed). NULL is a no-op. */
void http_offload_free(struct http_offload *o);

/* The fd that becomes readable when a job is done: watch it with the daemon's
 * fd, and call http_offload_collect() before running the daemon. */
int http_offload_fd(const struct http_offload *o);
/* Clears the fd's readiness, cheaply when nothing was signalled (an atomic
 * flag; no system call). Worker's thread. */
void http_offload_collect(struct http_offload *o);

/* From the access handler, on the worker's thread: suspends `conn` and queues
 * `job` (job->run set). Returns 0, or -1 if the thread has stopped (nothing
 * was suspended; answer the request yourself). */
int http_offload_submit(struct http_offload *o, struct http_job *job,
			struct MHD_Connection *conn) __attribute__((warn_unused_result));
/* The job's state, read under the lock: what run() wrote is visible to the
 * caller once this says HTTP_JOB_DONE. */
enum http_job_state http_offload_state(struct http_offload *o, const struct http_job *job);
/* Takes a queued job off the queue (a request ending before its job ran).
 * Returns 0 if the thread does not hold the job (any more), or -1 if it is
 * running it: the caller must then not free it (a broken invariant: see the
 * lifetimes above). */
int http_offload_cancel(struct http_offload *o, struct http_job *job);
/* Jobs queued or running (a graceful stop waits for them). */
size_t http_offload_busy(struct http_offload *o);

#endif
