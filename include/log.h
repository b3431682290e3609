/* SPDX-License-Identifier: ISC */
/*
 * Logging for all three processes: JSON lines (built with json-c) or text,
 * to stderr, or to syslog when daemonized. errno is preserved.
 */
#ifndef MULTINIC_LOG_H
#define MULTINIC_LOG_H

#include <stdarg.h>

enum log_dest {
	LOG_DEST_STDERR,	/* foreground: one line per entry */
	LOG_DEST_SYSLOG,	/* the daemonized supervisor */
	LOG_DEST_PIPE,		/* a child of a daemonized supervisor: "<prio>line" */
};

/* A structured field: row_id, interface_name, mac_address, reason, error... */
struct log_field {
	const char	*key;
	const char	*str;	/* NULL: the field is the number num */
	long long	 num;
};

#define LOG_STR(k, v)	((struct log_field){ (k), (v), 0 })
#define LOG_NUM(k, v)	((struct log_field){ (k), NULL, (v) })

void	log_init(const char *proc, enum log_dest dest, int format, int level);
void	log_setlevel(int level);	/* enum log_level */
int	log_getlevel(void);
/* enum log_format; AUTO picks JOURNAL, then TEXT on a tty, else JSON. */
void	log_setformat(int format);
int	log_stderr_is_journal(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn))
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn))
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));

/* level is an enum log_level; fields may be NULL when nfields is 0. */
void	log_fields(int level, const struct log_field *fields, size_t nfields,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	log_vfields(int level, const struct log_field *fields, size_t nfields,
	    const char *fmt, va_list ap);

#endif
