/*
 * The store's PostgreSQL backend: a placeholder, so that the core builds and
 * a PostgreSQL target is refused with a clear reason until the backend lands
 * (issue 16, part "pg", replaces this file whole).
 */
#include "store/store_internal.h"

int store_pg_open(struct store *s, const char *conninfo, int create)
{
	(void)conninfo;
	(void)create;
	return store_fail(s, STORE_ERR, "PostgreSQL support is not in this build");
}
