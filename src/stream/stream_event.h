/*
 * The event of one change-log entry: the data object a stream's readers get
 * (docs/stream.md) and, for a new post, the post's text form.
 *
 * Rendered once. The process that commits a change renders its event just
 * before the commit (stream_event_store, the store's event renderer) and the
 * store keeps it with the change, so every worker sends those bytes without
 * rendering them again. A change stored without one (logged by a process
 * without the renderer, before events were stored, or about a post edited or
 * deleted since) is rendered from the store's current state by the worker that
 * needs it (stream_event_render).
 */
#ifndef LIVELINE_STREAM_EVENT_H
#define LIVELINE_STREAM_EVENT_H

#include "model/model.h"
#include "store/store.h"

/* Renders change `c` of `page` from the store's current state: *data gets the
 * data object as compact JSON on one line, *text the text form of a new post
 * (NULL for other changes, or if that form cannot be made). Both malloc'd, the
 * caller frees. Returns 0, or -1 when out of memory. */
int stream_event_render(struct store *s, const struct model_page *page,
			const struct store_change *c, char **data, char **text);

/* A store_event_fn: loads the change's page and renders its event. Register it
 * with store_set_event_renderer(s, stream_event_store, NULL) on every
 * connection that writes. */
int stream_event_store(void *ctx, struct store *s, const struct store_change *c,
		       char **data, char **text);

/* Whether a stored event can be sent as it is: one line of JSON that is an
 * object. Anything else is rendered again rather than trusted. */
int stream_event_usable(const char *data);

#endif
