/*
 * The request thread's priority: see prio.h.
 */
#include "util/prio.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/log.h"

#define PRIO_RT_PRIORITY 1

/* The request thread's own state. */
static _Thread_local int prio_may_boost; /* prio_raise with PRIO_REALTIME */
static _Thread_local int prio_boosted;   /* wanted real-time now */

static int prio_set_rt(void)
{
	struct sched_param rt = { .sched_priority = PRIO_RT_PRIORITY };

	return sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &rt);
}

static int prio_set_fair(void)
{
	struct sched_param none = { 0 };

	/* The nice value survives the change of class. */
	return sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &none);
}

/* Can this thread take nice -n? Its nice ends as it was (lowering it back is
 * always allowed). 0, or -1 with errno. */
static int prio_try_nice(unsigned n)
{
	id_t self = (id_t)gettid();
	int was, err;

	errno = 0;
	was = getpriority(PRIO_PROCESS, self);
	if (was == -1 && errno != 0)
		return -1;
	if (setpriority(PRIO_PROCESS, self, was - (int)n) < 0)
		return -1;
	err = errno;
	if (setpriority(PRIO_PROCESS, self, was) < 0)
		log_warn("setpriority");
	errno = err;
	return 0;
}

struct prio prio_check(struct prio want)
{
	const char *rt_err = NULL, *nice_err = NULL;
	unsigned asked = want.nice;

	if (want.mode == PRIO_NONE)
		return (struct prio){ PRIO_NONE, 0 };
	if (want.nice > 0 && prio_try_nice(want.nice) < 0) {
		nice_err = strerror(errno);
		want.nice = 0;
	}
	if (want.mode == PRIO_REALTIME) {
		if (prio_set_rt() == 0) {
			if (prio_set_fair() < 0)
				log_warn("sched_setscheduler");
			return want; /* between boosts at nice 0 if nice was refused */
		}
		rt_err = strerror(errno);
		want.mode = PRIO_NICE;
	}
	if (want.nice == 0)
		want.mode = PRIO_NONE;
	if (rt_err && want.mode == PRIO_NICE)
		log_warnx("cannot run the request threads real-time (%s): they run %u steps of "
			  "nice above the fan-out sends instead, and a page request may then wait "
			  "up to a scheduler tick behind them; allow it with CAP_SYS_NICE or "
			  "LimitRTPRIO=1, or pass --request-priority %u to not ask", rt_err,
			  want.nice, want.nice);
	else if (rt_err)
		log_warnx("cannot raise the request threads' priority (real-time: %s; nice: %s): "
			  "page requests share the cores equally with fan-out sends; allow it "
			  "with CAP_SYS_NICE, LimitRTPRIO=1 or LimitNICE=, or pass "
			  "--request-priority 0 to not ask", rt_err, nice_err ? nice_err : "not asked");
	else if (nice_err)
		log_warnx("cannot raise the request threads' priority by %u (%s): page requests "
			  "share the cores equally with fan-out sends; allow it with CAP_SYS_NICE "
			  "or LimitNICE=, or pass --request-priority 0 to not ask", asked, nice_err);
	return want;
}

void prio_raise(struct prio p)
{
	id_t self = (id_t)gettid();
	int was;

	if (p.mode == PRIO_NONE)
		return;
	errno = 0;
	was = getpriority(PRIO_PROCESS, self);
	if ((was == -1 && errno != 0) || prio_set_fair() < 0 ||
	    setpriority(PRIO_PROCESS, self, was - (int)p.nice) < 0) {
		log_warn("worker: cannot raise the request thread's priority");
		return;
	}
	prio_may_boost = p.mode == PRIO_REALTIME;
}

/* Puts the thread in the class its state asks for. */
static void prio_apply(void)
{
	if ((prio_boosted ? prio_set_rt() : prio_set_fair()) < 0)
		log_warn("worker: sched_setscheduler");
}

void prio_boost(int on)
{
	if (!prio_may_boost || prio_boosted == !!on)
		return;
	prio_boosted = !!on;
	prio_apply();
}
