/*
 * The newsroom's thread and its queue of jobs: see http_offload.h.
 */
#include "http/http_offload.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "util/log.h"

struct http_offload {
	struct store *store;         /* the thread's own */
	pthread_t thread;
	int started, stopped;        /* the thread was made; it was joined */
	/* Guards what follows. Priority-inheriting, as the hub's: the worker's
	 * thread, which may run real-time, takes it briefly to read a state. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct http_job *head, *tail; /* queued, oldest first */
	struct http_job *running;
	int stopping;
	int efd;                     /* eventfd: a job is done */
	atomic_int signalled;        /* efd was written since the last collect */
};

static void http_offload_signal(struct http_offload *o)
{
	uint64_t one = 1;

	/* The flag before the write: the worker's loop, woken by the write,
	 * always finds the flag and drains the fd. The other order let a loop
	 * woken between the two find no flag and spin on the readable fd until
	 * this thread set it; a real-time loop spinning on this thread's core
	 * kept it from doing so for up to 66 ms (a scheduler tick's balancing
	 * away), delaying every reader and answer of the worker with it
	 * (bench/results/scale-out.md). */
	atomic_store(&o->signalled, 1);
	if (write(o->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("newsroom thread: eventfd");
}

static void *http_offload_main(void *arg)
{
	struct http_offload *o = arg;
	struct http_job *job;
	struct MHD_Connection *conn;

	for (;;) {
		pthread_mutex_lock(&o->lock);
		while (!o->head && !o->stopping)
			pthread_cond_wait(&o->wake, &o->lock);
		if (o->stopping) {
			pthread_mutex_unlock(&o->lock);
			return NULL; /* the queued jobs are abandoned by http_offload_stop */
		}
		job = o->head;
		o->head = job->next;
		if (!o->head)
			o->tail = NULL;
		job->next = NULL;
		job->state = HTTP_JOB_RUNNING;
		o->running = job;
		pthread_mutex_unlock(&o->lock);

		job->run(job, o->store);

		pthread_mutex_lock(&o->lock);
		job->state = HTTP_JOB_DONE;
		o->running = NULL;
		conn = job->conn;
		pthread_mutex_unlock(&o->lock);
		/* The last touch of this job: once resumed, the worker's thread may
		 * answer and free it at any moment. */
		MHD_resume_connection(conn);
		http_offload_signal(o);
	}
}

struct http_offload *http_offload_new(struct store *st, char *err, size_t errlen)
{
	struct http_offload *o = calloc(1, sizeof(*o));
	pthread_mutexattr_t a;

	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->store = st;
	o->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (o->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(o);
		return NULL;
	}
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&o->lock, &a);
	pthread_mutexattr_destroy(&a);
	pthread_cond_init(&o->wake, NULL);
	if (pthread_create(&o->thread, NULL, http_offload_main, o) != 0) {
		snprintf(err, errlen, "cannot start the newsroom thread");
		http_offload_free(o);
		return NULL;
	}
	o->started = 1;
	return o;
}

void http_offload_stop(struct http_offload *o)
{
	struct http_job *job, *next;

	if (!o || o->stopped)
		return;
	pthread_mutex_lock(&o->lock);
	o->stopping = 1;
	pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
	if (o->started)
		pthread_join(o->thread, NULL);
	o->stopped = 1;
	/* The thread is gone: no lock needed from here on. */
	for (job = o->head; job; job = next) {
		next = job->next;
		job->next = NULL;
		job->state = HTTP_JOB_ABANDONED;
		MHD_resume_connection(job->conn);
	}
	o->head = o->tail = NULL;
	http_offload_signal(o);
}

void http_offload_free(struct http_offload *o)
{
	if (!o)
		return;
	http_offload_stop(o);
	pthread_cond_destroy(&o->wake);
	pthread_mutex_destroy(&o->lock);
	close(o->efd);
	free(o);
}

int http_offload_fd(const struct http_offload *o)
{
	return o->efd;
}

void http_offload_collect(struct http_offload *o)
{
	uint64_t n;

	if (atomic_load_explicit(&o->signalled, memory_order_relaxed) &&
	    atomic_exchange(&o->signalled, 0) && read(o->efd, &n, sizeof(n)) < 0 &&
	    errno == EAGAIN)
		/* Flagged, not yet written: the write is coming, and must find
		 * the flag when it wakes the loop. */
		atomic_store(&o->signalled, 1);
}

int http_offload_submit(struct http_offload *o, struct http_job *job,
			struct MHD_Connection *conn)
{
	pthread_mutex_lock(&o->lock);
	if (o->stopping) {
		pthread_mutex_unlock(&o->lock);
		return -1;
	}
	/* Suspended before the thread can see the job: the thread resumes only
	 * what was suspended. */
	MHD_suspend_connection(conn);
	job->conn = conn;
	job->state = HTTP_JOB_QUEUED;
	job->next = NULL;
	if (o->tail)
		o->tail->next = job;
	else
		o->head = job;
	o->tail = job;
	pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
	return 0;
}

enum http_job_state http_offload_state(struct http_offload *o, const struct http_job *job)
{
	enum http_job_state st;

	pthread_mutex_lock(&o->lock);
	st = job->state;
	pthread_mutex_unlock(&o->lock);
	return st;
}

int http_offload_cancel(struct http_offload *o, struct http_job *job)
{
	struct http_job **p;
	int rc = 0;

	pthread_mutex_lock(&o->lock);
	if (job->state == HTTP_JOB_RUNNING) {
		rc = -1;
	} else if (job->state == HTTP_JOB_QUEUED) {
		for (p = &o->head; *p; p = &(*p)->next) {
			if (*p == job) {
				*p = job->next;
				break;
			}
		}
		o->tail = NULL;
		for (struct http_job *j = o->head; j; j = j->next)
			o->tail = j;
		job->state = HTTP_JOB_ABANDONED;
	}
	pthread_mutex_unlock(&o->lock);
	return rc;
}

size_t http_offload_busy(struct http_offload *o)
{
	size_t n = 0;

	pthread_mutex_lock(&o->lock);
	for (struct http_job *j = o->head; j; j = j->next)
		n++;
	n += o->running != NULL;
	pthread_mutex_unlock(&o->lock);
	return n;
}
