/*
 * An intrusive doubly linked list: the page cache's entries in the order they
 * were stored (page/page_cache.c) and a topic's subscribers (stream/stream.c)
 * each embed a struct util_link, so that adding and removing cost no
 * allocation and a removal is O(1) from the element alone.
 *
 * A list is its first and last link ({NULL, NULL} when empty); elements are
 * found from their link with UTIL_CONTAINER. An element is on at most one
 * list through one link; the caller knows which.
 */
#ifndef LIVELINE_UTIL_LIST_H
#define LIVELINE_UTIL_LIST_H

#include <stddef.h>

struct util_link {
	struct util_link *prev, *next;
};

struct util_list {
	struct util_link *head, *tail;
};

/* The struct of `type` whose member `member` is the link `ptr` (not NULL). */
#define UTIL_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Appends `n` (on no list) at the tail of `l`. */
static inline void util_list_push(struct util_list *l, struct util_link *n)
{
	n->next = NULL;
	n->prev = l->tail;
	if (l->tail)
		l->tail->next = n;
	else
		l->head = n;
	l->tail = n;
}

/* Takes `n` out of `l`, which holds it. */
static inline void util_list_remove(struct util_list *l, struct util_link *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NULL;
}

/* Appends all of `from` to `to` in O(1); `from` is left empty. */
static inline void util_list_splice(struct util_list *to, struct util_list *from)
{
	if (!from->head)
		return;
	if (to->tail) {
		to->tail->next = from->head;
		from->head->prev = to->tail;
	} else {
		to->head = from->head;
	}
	to->tail = from->tail;
	from->head = from->tail = NULL;
}

#endif
