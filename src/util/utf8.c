/*
 * UTF-8 validation and decoding: see utf8.h. A thin wrapper over ICU's U8_NEXT
 * (unicode/utf8.h), which since ICU 60 refuses overlong forms, surrogates and
 * code points past U+10FFFF, so that every caller shares one rule.
 */
#include "util/utf8.h"

#include <string.h>
#include <unicode/utf8.h>

size_t utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const uint8_t *p = (const uint8_t *)s;
	int32_t i = 0, len = n > 4 ? 4 : (int32_t)n; /* no character is longer */
	UChar32 c;

	if (n == 0)
		return 0;
	U8_NEXT(p, i, len, c);
	if (c < 0)
		return 0;
	if (cp)
		*cp = (uint32_t)c;
	return (size_t)i;
}

size_t utf8_prefix(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80) { /* the common case, without the call */
			i++;
			continue;
		}
		k = utf8_next(s + i, n - i, NULL);
		if (k == 0)
			break;
		i += k;
	}
	return i;
}

int utf8_valid(const char *str)
{
	size_t n;

	if (!str)
		return 1;
	n = strlen(str);
	return utf8_prefix(str, n) == n;
}
