/*
 * What the fuzz harnesses share. Each fuzz_TARGET.c defines libFuzzer's
 * LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize when it needs a set-up
 * once per process); the same file is built twice: with clang and
 * -fsanitize=fuzzer for `make fuzz`, and with the project's compiler and
 * replay.c's main() for ctest, which feeds it every committed input.
 */
#ifndef TEND_FUZZ_H
#define TEND_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Splits the input at its first n-1 newlines into n NUL-terminated fields
 * (missing ones are ""); free fields[0] only, the others point into it.
 */
void	 fuzz_fields(const uint8_t *data, size_t size, char **fields, size_t n);

/*
 * A broken invariant: says which and aborts, so that libFuzzer keeps the
 * input as a crash and the replay test fails.
 */
#define FUZZ_ASSERT(cond, ...) do {					\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);	\
} while (0)
void	 fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 4, 5)));

#endif
