/* SPDX-License-Identifier: ISC */
/*
 * systemd's service notifications (sd_notify(3)) for Type=notify: ready once
 * both children run, reloading while SIGHUP is handled, stopping, and a
 * status line for systemctl status. Without NOTIFY_SOCKET each is a no-op.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "supervisor.h"

#define NOTIFY_MAX	512

/* A failed send is said once: systemd would see every later one fail too. */
static void
notify_send(const char *message)
{
	static int	warned;
	int		rc;

	if ((rc = sd_notify(0, message)) < 0 && !warned) {
		warned = 1;
		log_warnx("cannot notify systemd (NOTIFY_SOCKET): %s",
		    strerror(-rc));
	}
}

/* state: "READY=1", "RELOADING=1\nMONOTONIC_USEC=...", or "" for none. */
static void
notify_vsend(const char *state, const char *fmt, va_list ap)
{
	char	status[NOTIFY_MAX / 2], message[NOTIFY_MAX];

	vsnprintf(status, sizeof(status), fmt, ap);
	snprintf(message, sizeof(message), "%s%sSTATUS=%s", state,
	    *state != '\0' ? "\n" : "", status);
	notify_send(message);
}

static void
notify_state(const char *state, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	notify_vsend(state, fmt, ap);
	va_end(ap);
}

void
notify_status(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	notify_vsend("", fmt, ap);
	va_end(ap);
}

/* Ready is both children having said so; after the first time, a status. */
void
notify_child_ready(struct supervisor *sv)
{
	const struct child	*f = &sv->children[CHILD_FETCHER];
	const struct child	*a = &sv->children[CHILD_APPLIER];

	if (!f->ready || !a->ready || sv->stopping)
		return;
	notify_state(sv->ready_notified ? "" : "READY=1",
	    "running: fetcher pid %d, applier pid %d", (int)f->pid, (int)a->pid);
	sv->ready_notified = 1;
}

/*
 * MONOTONIC_USEC: systemd 253's Type=notify-reload asks for it. Before the
 * first READY=1 there is no reload to announce.
 */
void
notify_reloading(struct supervisor *sv)
{
	struct timespec	ts;
	char		state[64];

	if (!sv->ready_notified)
		return;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		snprintf(state, sizeof(state), "RELOADING=1");
	else
		snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
		    (unsigned long long)ts.tv_sec * 1000000ULL +
		    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_state(state, "reloading the configuration");
}

/* The reload is over, applied or refused: how is what the status says. */
void
notify_reloaded(struct supervisor *sv, const char *outcome)
{
	notify_state(sv->ready_notified ? "READY=1" : "", "%s", outcome);
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=stopping");
}
