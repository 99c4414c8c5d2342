/*
 * UTF-8, strictly: the one place that decides what is a well-formed character.
 * Well-formed is Unicode's definition (no overlong forms, no surrogates, nothing
 * past U+10FFFF, no truncated sequence), which is also the rule jansson applies,
 * so text accepted anywhere in Liveline can always be stored and rendered as JSON.
 * The decoding is ICU's (U8_NEXT): no table of ours. NUL is a well-formed
 * character here; callers that refuse it (the text form, bodies) check for it
 * themselves, as each says why.
 */
#ifndef LIVELINE_UTF8_H
#define LIVELINE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1 to 4) of the well-formed character at s[0..n), with its code point in
 * *cp when cp is not NULL; 0 if the bytes there are ill-formed or cut short by n,
 * or n is 0 (*cp is then left alone). Never reads past s[n - 1]. */
size_t utf8_next(const char *s, size_t n, uint32_t *cp);

/* Length of the longest well-formed prefix of s[0..n): n when all of it is. */
size_t utf8_prefix(const char *s, size_t n);

/* 1 if the NUL-terminated `str` is well-formed UTF-8 (NULL counts as ""), else 0. */
int utf8_valid(const char *str);

#endif
