/* SPDX-License-Identifier: ISC */
/* What the libFuzzer harnesses share: quiet logging and a checked abort. */
#ifndef MULTINIC_FUZZ_H
#define MULTINIC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Only errors reach stderr: a harness runs millions of inputs. */
void	fuzz_quiet_logs(void);
/* A broken property: print why and abort, so libFuzzer keeps the input. */
__attribute__((noreturn))
void	fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct config;
/* What an accepted configuration must hold, whatever the input was. */
void	fuzz_check_config(const struct config *);

#endif
