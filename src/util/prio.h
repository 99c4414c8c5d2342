/*
 * The request thread's priority over the threads that send to open streams.
 *
 * A worker's own thread serves requests in short bursts; its hub's thread sends
 * fan-outs in long ones. Where both want a core, as when a post fans out to
 * many readers on a busy machine, a page request should not wait for the
 * sends. Measured in bench/results/fanout-profile.md:
 *
 * - Nice alone is not enough: Linux's fair scheduler (EEVDF) often leaves a
 *   woken thread queued until the next scheduler tick (4 ms at HZ=250) while
 *   nice-0 threads use the core, however high its nice.
 * - A real-time thread (SCHED_RR) takes the core the moment it wakes. But a
 *   thread that is real-time all the time meets the kernel's real-time
 *   throttling when it has a core's worth of page requests: it is stopped for
 *   the last 50 ms of each second (p99 of 6-29 ms under wrk against 1.3-2.5 ms).
 *
 * So with PRIO_REALTIME the request thread runs at `nice` steps of nice, and
 * real-time (SCHED_RR 1) only while it is boosted (prio_boost): the live state
 * boosts it from when it hands its hub a fan-out until it wakes up to find the
 * hub done for a while (live_boost in live/live.c). Newsroom and API
 * requests (password hashing, image processing) do not run on it: they run on
 * the worker's newsroom thread (http/http_offload.h), which is started before
 * the request thread is raised and stays in the normal class. Real-time needs
 * CAP_SYS_NICE or RLIMIT_RTPRIO >= 1 (LimitRTPRIO=), nice CAP_SYS_NICE or
 * RLIMIT_NICE (LimitNICE=). Every change is made with SCHED_RESET_ON_FORK, so
 * that any thread started from the request thread starts at the normal class
 * and nice 0.
 */
#ifndef LIVELINE_PRIO_H
#define LIVELINE_PRIO_H

enum prio_mode { PRIO_NONE, PRIO_NICE, PRIO_REALTIME };

struct prio {
	enum prio_mode mode;
	unsigned nice; /* steps of nice above nice 0, in the fair class */
};

/* The master's check, made once before the workers start so that the operator
 * gets one line rather than one per worker: which of `want` can a thread of
 * ours have? Falls back from real-time to nice to none, and logs one line when
 * it has to. The calling thread's own priority ends as it was. */
struct prio prio_check(struct prio want);

/* Gives the calling thread (a worker's request thread) priority p: its nice
 * now, and with PRIO_REALTIME the right to be boosted. Called once the hub's
 * thread exists, so that the hub keeps the normal priority. */
void prio_raise(struct prio p);

/* Boosts the calling thread to real-time (on = 1) or ends the boost (0); a
 * no-op when unchanged, or without PRIO_REALTIME. */
void prio_boost(int on);

#endif
