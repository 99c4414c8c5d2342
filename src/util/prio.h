/*
 * The request thread's priority over the threads that send to open streams.
 *
 * A worker's own thread serves requests in short bursts; its hub's thread sends
 * fan-outs in long ones. Where both want a core, as when a post fans out to
 * many readers on a busy machine, a page request should not wait for the
 * sends. Two ways, measured in bench/results/fanout-profile.md:
 *
 * - PRIO_REALTIME: the request thread runs SCHED_RR at priority 1, so it takes
 *   a core from any normal thread the moment it wakes. Nice alone cannot do
 *   that: Linux's fair scheduler (EEVDF) often leaves a woken thread queued
 *   until the next scheduler tick (4 ms at HZ=250) however high its nice. The
 *   kernel's real-time throttling keeps 5% of each second for everything
 *   else. Newsroom and API requests (password hashing, image processing) step
 *   down to the fair class while they run (prio_heavy_begin / _end), so that
 *   only readers' requests and the short work of applying a change run
 *   real-time. Needs CAP_SYS_NICE or RLIMIT_RTPRIO >= 1 (LimitRTPRIO=).
 * - PRIO_NICE: the request thread runs `nice` steps of nice above the others.
 *   Needs CAP_SYS_NICE or RLIMIT_NICE (LimitNICE=).
 *
 * Either way with SCHED_RESET_ON_FORK: threads started later from the request
 * thread (libvips' image workers) start at the normal class and nice 0.
 */
#ifndef LIVELINE_PRIO_H
#define LIVELINE_PRIO_H

enum prio_mode { PRIO_NONE, PRIO_NICE, PRIO_REALTIME };

struct prio {
	enum prio_mode mode;
	unsigned nice; /* steps of nice above nice 0: with PRIO_NICE, and the
			* fair-class level of PRIO_REALTIME's heavy work */
};

/* The master's check, made once before the workers start so that the operator
 * gets one line rather than one per worker: which of `want` can a thread of
 * ours have? Falls back from real-time to nice to none, and logs one line when
 * it has to. The calling thread's own priority ends as it was. */
struct prio prio_check(struct prio want);

/* Gives the calling thread (a worker's request thread) priority p. Called once
 * the hub's thread exists, so that the hub keeps the normal priority. */
void prio_raise(struct prio p);

/* Around CPU-heavy work on a real-time request thread: the thread runs in the
 * fair class (at its nice) in between. No-ops otherwise. */
void prio_heavy_begin(void);
void prio_heavy_end(void);

#endif
