/*
 * Shared by the fuzz targets (tests/fuzz/fuzz_*.c): a property check that
 * aborts, so that libFuzzer keeps the input that broke it as a crash.
 */
#ifndef LIVELINE_FUZZ_H
#define LIVELINE_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                     \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "fuzz: property broken at %s:%d: ", __FILE__, \
				__LINE__);                                        \
			fprintf(stderr, __VA_ARGS__);                             \
			fputc('\n', stderr);                                      \
			abort();                                                  \
		}                                                                 \
	} while (0)

#endif
