/*
 * Unit tests for util/prio.c: the request thread's class and nice through a
 * boost, what threads it starts inherit,
 * and PRIO_NICE never going real-time. Each case runs in a thread of its own
 * (the module's state is per thread) that records what the kernel reports;
 * the test asserts on the record. Changing a thread's class needs CAP_SYS_NICE
 * (or RLIMIT_RTPRIO): without, the cases skip.
 */
#include "unit.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

#include "util/prio.h"

/* What the kernel says of a thread: class (without the reset-on-fork flag),
 * real-time priority, nice. */
struct seen {
	int policy, rt, nice;
};

static struct seen seen_self(void)
{
	struct sched_param sp = { 0 };
	struct seen s;

	s.policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
	sched_getparam(0, &sp);
	s.rt = sp.sched_priority;
	errno = 0;
	s.nice = getpriority(PRIO_PROCESS, (id_t)gettid());
	return s;
}

#define STEPS 8

struct record {
	struct prio p;
	struct seen at[STEPS];
	struct seen child; /* a thread started while boosted */
};

static void *child_main(void *arg)
{
	*(struct seen *)arg = seen_self();
	return NULL;
}

static void *boost_case(void *arg)
{
	struct record *r = arg;
	pthread_t t;
	int k = 0;

	r->at[k++] = seen_self();   /* 0: before */
	prio_raise(r->p);
	r->at[k++] = seen_self();   /* 1: raised */
	prio_boost(1);
	r->at[k++] = seen_self();   /* 2: boosted */
	if (pthread_create(&t, NULL, child_main, &r->child) == 0)
		pthread_join(t, NULL);
	prio_boost(1);
	r->at[k++] = seen_self();   /* 3: boosted again: unchanged */
	prio_boost(0);
	r->at[k++] = seen_self();   /* 4: boost over */
	prio_boost(1);
	r->at[k++] = seen_self();   /* 5: boosted again */
	prio_boost(0);
	r->at[k++] = seen_self();   /* 6 */
	return NULL;
}

static int can_change_class(void)
{
	struct sched_param rt = { .sched_priority = 1 }, none = { 0 };

	if (sched_setscheduler(0, SCHED_RR, &rt) < 0)
		return 0;
	return sched_setscheduler(0, SCHED_OTHER, &none) == 0;
}

static void run_case(struct record *r)
{
	pthread_t t;

	if (!can_change_class())
		skip();
	assert_int_equal(pthread_create(&t, NULL, boost_case, r), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

static void assert_seen(struct seen s, int policy, int rt, int nice)
{
	assert_int_equal(s.policy, policy);
	assert_int_equal(s.rt, rt);
	assert_int_equal(s.nice, nice);
}

static void test_realtime_only_while_boosted(void **state)
{
	struct record r = { .p = { PRIO_REALTIME, 7 } };
	(void)state;

	run_case(&r);
	assert_seen(r.at[0], SCHED_OTHER, 0, 0);
	assert_seen(r.at[1], SCHED_OTHER, 0, -7);
	assert_seen(r.at[2], SCHED_RR, 1, -7);
	assert_seen(r.at[3], SCHED_RR, 1, -7);
	assert_seen(r.at[4], SCHED_OTHER, 0, -7);
	assert_seen(r.at[5], SCHED_RR, 1, -7);
	assert_seen(r.at[6], SCHED_OTHER, 0, -7);
	/* A thread started from the request thread inherits neither. */
	assert_seen(r.child, SCHED_OTHER, 0, 0);
}

static void test_nice_mode_never_goes_real_time(void **state)
{
	struct record r = { .p = { PRIO_NICE, 5 } };
	(void)state;

	run_case(&r);
	for (int k = 1; k <= 6; k++)
		assert_seen(r.at[k], SCHED_OTHER, 0, -5);
	assert_seen(r.child, SCHED_OTHER, 0, 0);
}

static void test_none_changes_nothing(void **state)
{
	struct record r = { .p = { PRIO_NONE, 0 } };
	(void)state;

	run_case(&r);
	for (int k = 0; k <= 6; k++)
		assert_seen(r.at[k], SCHED_OTHER, 0, 0);
}

static void test_check_keeps_the_callers_priority(void **state)
{
	struct seen before = seen_self();
	struct prio got;
	(void)state;

	if (!can_change_class())
		skip();
	got = prio_check((struct prio){ PRIO_REALTIME, 10 });
	assert_int_equal(got.mode, PRIO_REALTIME);
	assert_int_equal(got.nice, 10);
	assert_seen(seen_self(), before.policy, before.rt, before.nice);
	got = prio_check((struct prio){ PRIO_NICE, 0 });
	assert_int_equal(got.mode, PRIO_NONE);
	got = prio_check((struct prio){ PRIO_NONE, 3 });
	assert_int_equal(got.mode, PRIO_NONE);
	assert_seen(seen_self(), before.policy, before.rt, before.nice);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realtime_only_while_boosted),
		cmocka_unit_test(test_nice_mode_never_goes_real_time),
		cmocka_unit_test(test_none_changes_nothing),
		cmocka_unit_test(test_check_keeps_the_callers_priority),
	};

	return cmocka_run_group_tests_name("prio", tests, NULL, NULL);
}
