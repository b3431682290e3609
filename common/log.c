/* SPDX-License-Identifier: ISC */
/*
 * Logging for every process: one JSON line (json-c) or text line per entry,
 * to stderr, to syslog, or to the supervisor's pipe. Every function keeps errno.
 */

#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "config.h"
#include "log.h"

#define LOG_MSG_MAX	2048	/* a formatted message; longer ones are cut */
#define LOG_LINE_MAX	8192	/* a text line or a JSON line copied for write(2) */
#define LOG_PROC_MAX	32
#define LOG_TIME_MAX	64

/* Usable before log_init(): stderr, format chosen by isatty(2), info. */
static struct {
	char		proc[LOG_PROC_MAX];
	enum log_dest	dest;
	int		format;		/* LOG_FORMAT_AUTO until first resolved */
	int		level;
} log_state = { "multinicd", LOG_DEST_STDERR, LOG_FORMAT_AUTO, LOG_LEVEL_INFO };

/* Static rather than on the stack: the daemons are single-threaded. */
static char	log_text[LOG_LINE_MAX];
static char	log_out[LOG_LINE_MAX + 8];

struct log_buf {
	char	*buf;
	size_t	 len;
	size_t	 size;		/* room for len plus a NUL */
};

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static int
log_clamp_level(int level)
{
	if (level < LOG_LEVEL_ERROR)
		return LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_DEBUG)
		return LOG_LEVEL_DEBUG;
	return level;
}

static int
log_priority(int level)
{
	switch (level) {
	case LOG_LEVEL_ERROR:
		return LOG_ERR;
	case LOG_LEVEL_WARN:
		return LOG_WARNING;
	case LOG_LEVEL_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

/*
 * systemd sets JOURNAL_STREAM to the device and inode of the stream it
 * connects to stderr; a redirected stderr no longer matches it.
 */
int
log_stderr_is_journal(void)
{
	const char	*stream;
	struct stat	 sb;
	uintmax_t	 dev, ino;
	int		 saved_errno = errno, matches = 0;

	if ((stream = getenv("JOURNAL_STREAM")) != NULL &&
	    sscanf(stream, "%ju:%ju", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &sb) == 0)
		matches = (uintmax_t)sb.st_dev == dev &&
		    (uintmax_t)sb.st_ino == ino;
	errno = saved_errno;
	return matches;
}

/*
 * stderr is looked at once per log_init() and remembered: a later
 * log_setformat(AUTO) may run under a seccomp filter that has no TCGETS.
 */
static int
log_resolve_format(int format, int refresh)
{
	static int	auto_format = LOG_FORMAT_AUTO;

	if (format != LOG_FORMAT_AUTO)
		return format;
	if (refresh || auto_format == LOG_FORMAT_AUTO) {
		if (log_stderr_is_journal())
			auto_format = LOG_FORMAT_JOURNAL;
		else if (isatty(STDERR_FILENO))
			auto_format = LOG_FORMAT_TEXT;
		else
			auto_format = LOG_FORMAT_JSON;
	}
	return auto_format;
}

/* RFC 3339 UTC: gmtime_r, never localtime (/etc/localtime may be out of reach). */
static void
log_time(char *buf, size_t size)
{
	struct timespec	ts;
	struct tm	tm;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL) {
		snprintf(buf, size, "%s", "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
}

/* Appends what fits; a full buffer silently truncates the line. */
static void
log_buf_add(struct log_buf *b, const char *s, size_t n)
{
	if (n > b->size - 1 - b->len)
		n = b->size - 1 - b->len;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void
log_buf_adds(struct log_buf *b, const char *s)
{
	log_buf_add(b, s, strlen(s));
}

static int
log_is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Control characters are never written raw, so a value read from the DB
 * cannot start a forged line. in_quotes also escapes '"' and '\\'.
 */
static void
log_buf_add_escaped(struct log_buf *b, const char *s, int in_quotes)
{
	char		 esc[8];
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '\n')
			log_buf_adds(b, "\\n");
		else if (c == '\r')
			log_buf_adds(b, "\\r");
		else if (c == '\t')
			log_buf_adds(b, "\\t");
		else if (log_is_control(c)) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			log_buf_adds(b, esc);
		} else if (in_quotes && (c == '"' || c == '\\')) {
			log_buf_add(b, "\\", 1);
			log_buf_add(b, s, 1);
		} else
			log_buf_add(b, s, 1);
	}
}

static int
log_needs_quotes(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s != '\0'; s++)
		if (*s == ' ' || *s == '"' || *s == '=' ||
		    log_is_control((unsigned char)*s))
			return 1;
	return 0;
}

static void
log_text_value(struct log_buf *b, const char *key, const char *value)
{
	int	quoted = log_needs_quotes(value);

	log_buf_adds(b, " ");
	log_buf_adds(b, key);
	log_buf_adds(b, quoted ? "=\"" : "=");
	log_buf_add_escaped(b, value, quoted);
	if (quoted)
		log_buf_adds(b, "\"");
}

/*
 * "2026-11-22T10:00:00.123Z warn  fetcher: message key=value error=...";
 * for the journal "fetcher: message key=value": it has the time, and the
 * level as the line's priority.
 */
static size_t
log_render_text(int level, int with_time, const char *msg,
    const struct log_field *fields, size_t nfields, const char *errstr)
{
	struct log_buf	b = { log_text, 0, sizeof(log_text) };
	char		now[LOG_TIME_MAX], num[32];
	size_t		i;

	log_text[0] = '\0';
	if (with_time) {
		log_time(now, sizeof(now));
		log_buf_adds(&b, now);
		log_buf_adds(&b, " ");
	}
	if (log_state.format != LOG_FORMAT_JOURNAL) {
		snprintf(num, sizeof(num), "%-5s ", log_level_names[level]);
		log_buf_adds(&b, num);
	}
	log_buf_adds(&b, log_state.proc);
	log_buf_adds(&b, ": ");
	log_buf_add_escaped(&b, msg, 0);
	for (i = 0; i < nfields; i++) {
		if (fields[i].key == NULL)
			continue;
		if (fields[i].str != NULL)
			log_text_value(&b, fields[i].key, fields[i].str);
		else {
			snprintf(num, sizeof(num), "%lld", fields[i].num);
			log_text_value(&b, fields[i].key, num);
		}
	}
	if (errstr != NULL)
		log_text_value(&b, "error", errstr);
	return b.len;
}

/* First one wins: a field cannot replace time, level, proc or msg. */
static int
log_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL)
		return -1;
	if (json_object_object_get_ex(obj, key, NULL)) {
		json_object_put(val);
		return 0;
	}
	if (json_object_object_add(obj, key, val) == -1) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

/* Returns NULL when json-c runs out of memory; the caller writes text. */
static struct json_object *
log_render_json(int level, int with_time, const char *msg,
    const struct log_field *fields, size_t nfields, const char *errstr)
{
	struct json_object	*obj;
	char			 now[LOG_TIME_MAX];
	size_t			 i;
	int			 rc = 0;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	if (with_time) {
		log_time(now, sizeof(now));
		rc |= log_json_add(obj, "time", json_object_new_string(now));
	}
	rc |= log_json_add(obj, "level",
	    json_object_new_string(log_level_names[level]));
	rc |= log_json_add(obj, "proc", json_object_new_string(log_state.proc));
	rc |= log_json_add(obj, "msg", json_object_new_string(msg));
	for (i = 0; i < nfields; i++) {
		if (fields[i].key == NULL)
			continue;
		rc |= log_json_add(obj, fields[i].key, fields[i].str != NULL ?
		    json_object_new_string(fields[i].str) :
		    json_object_new_int64(fields[i].num));
	}
	if (errstr != NULL)
		rc |= log_json_add(obj, "error", json_object_new_string(errstr));
	if (rc != 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static void
log_write_all(const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(STDERR_FILENO, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* nowhere left to report it */
		buf += n;
		len -= (size_t)n;
	}
}

/* One write(2) per line, so processes sharing a stderr do not interleave. */
static void
log_output(int level, const char *line, size_t len)
{
	char	prefix[8] = "";
	char	*out = log_out;
	size_t	 plen, need;

	if (log_state.dest == LOG_DEST_SYSLOG) {
		syslog(log_priority(level), "%s", line);
		return;
	}
	/* journald reads the prefix as the line's priority (sd-daemon(3)). */
	if (log_state.dest == LOG_DEST_PIPE ||
	    log_state.format == LOG_FORMAT_JOURNAL)
		snprintf(prefix, sizeof(prefix), "<%d>", log_priority(level));
	plen = strlen(prefix);
	need = plen + len + 1;
	if (need > sizeof(log_out) && (out = malloc(need)) == NULL) {
		log_write_all(prefix, plen);	/* out of memory: pieces */
		log_write_all(line, len);
		log_write_all("\n", 1);
		return;
	}
	memcpy(out, prefix, plen);
	memcpy(out + plen, line, len);
	out[plen + len] = '\n';
	log_write_all(out, need);
	if (out != log_out)
		free(out);
}

static void
log_emit(int level, const struct log_field *fields, size_t nfields,
    const char *errstr, const char *fmt, va_list ap)
{
	char			 msg[LOG_MSG_MAX];
	struct json_object	*obj;
	const char		*line;
	size_t			 len;
	/* syslog, the supervisor forwarding the pipe and journald add the time. */
	int			 with_time;

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		snprintf(msg, sizeof(msg), "%s", fmt);
	if (log_state.format == LOG_FORMAT_AUTO)
		log_state.format = log_resolve_format(LOG_FORMAT_AUTO, 0);
	with_time = log_state.dest == LOG_DEST_STDERR &&
	    log_state.format != LOG_FORMAT_JOURNAL;
	if (log_state.format == LOG_FORMAT_JSON &&
	    (obj = log_render_json(level, with_time, msg, fields, nfields,
	    errstr)) != NULL) {
		line = json_object_to_json_string_length(obj,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
		if (line != NULL) {
			log_output(level, line, len);
			json_object_put(obj);
			return;
		}
		json_object_put(obj);
	}
	len = log_render_text(level, with_time, msg, fields, nfields, errstr);
	log_output(level, log_text, len);
}

void
log_init(const char *proc, enum log_dest dest, int format, int level)
{
	int	saved_errno = errno;
	char	now[LOG_TIME_MAX];

	if (log_state.dest == LOG_DEST_SYSLOG && dest != LOG_DEST_SYSLOG)
		closelog();
	snprintf(log_state.proc, sizeof(log_state.proc), "%s", proc);
	log_state.dest = dest;
	log_state.format = log_resolve_format(format, 1);
	log_state.level = log_clamp_level(level);
	if (dest == LOG_DEST_SYSLOG)
		openlog("multinicd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	/*
	 * glibc opens /etc/localtime on the first gmtime_r() even though UTC
	 * needs no zone: do it now, before a sandbox could forbid the open.
	 */
	log_time(now, sizeof(now));
	errno = saved_errno;
}

void
log_setlevel(int level)
{
	log_state.level = log_clamp_level(level);
}

int
log_getlevel(void)
{
	return log_state.level;
}

void
log_setformat(int format)
{
	int	saved_errno = errno;

	log_state.format = log_resolve_format(format, 0);
	errno = saved_errno;
}

void
log_vfields(int level, const struct log_field *fields, size_t nfields,
    const char *fmt, va_list ap)
{
	int	saved_errno = errno;

	level = log_clamp_level(level);
	if (level <= log_state.level)
		log_emit(level, fields, nfields, NULL, fmt, ap);
	errno = saved_errno;
}

void
log_fields(int level, const struct log_field *fields, size_t nfields,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vfields(level, fields, nfields, fmt, ap);
	va_end(ap);
}

/* The common body of the printf-style entry points. */
#define LOG_VA(lvl, errstr) do {					\
	int	saved_errno = errno;					\
	va_list	ap;							\
									\
	if ((lvl) <= log_state.level) {					\
		va_start(ap, fmt);					\
		log_emit((lvl), NULL, 0, (errstr), fmt, ap);		\
		va_end(ap);						\
	}								\
	errno = saved_errno;						\
} while (0)

void
log_warn(const char *fmt, ...)
{
	LOG_VA(LOG_LEVEL_WARN, strerror(saved_errno));
}

void
log_warnx(const char *fmt, ...)
{
	LOG_VA(LOG_LEVEL_WARN, NULL);
}

void
log_error(const char *fmt, ...)
{
	LOG_VA(LOG_LEVEL_ERROR, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_VA(LOG_LEVEL_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	LOG_VA(LOG_LEVEL_DEBUG, NULL);
}

void
fatal(const char *fmt, ...)
{
	LOG_VA(LOG_LEVEL_ERROR, strerror(saved_errno));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_VA(LOG_LEVEL_ERROR, NULL);
	exit(1);
}
