/* SPDX-License-Identifier: ISC */
/*
 * What the code under test logs: fd 2 goes to a temporary file between
 * capture_begin() and capture_end(), since cmocka reports on stderr. Include
 * it after <cmocka.h>.
 */
#ifndef MULTINIC_TEST_CAPTURE_H
#define MULTINIC_TEST_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

static FILE	*capture_file;
static int	 saved_stderr = -1;
static char	 captured[1 << 21];

static void
capture_begin(void)
{
	fflush(stderr);
	assert_non_null(capture_file = tmpfile());
	assert_true((saved_stderr = dup(STDERR_FILENO)) != -1);
	assert_true(dup2(fileno(capture_file), STDERR_FILENO) != -1);
}

/* The text logged since capture_begin(), up to 2 MiB. */
static const char *
capture_end(void)
{
	size_t	n;

	assert_true(dup2(saved_stderr, STDERR_FILENO) != -1);
	close(saved_stderr);
	rewind(capture_file);
	n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	return captured;
}

#endif
