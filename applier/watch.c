/* SPDX-License-Identifier: ISC */
/*
 * The managed files, read again only when they change: inotify on the
 * renderer's directory (and the udev rules' one) where it serves, else a
 * stat fingerprint of each file per cycle. A change made by someone else
 * asks for a cycle at once; a rename or removal of our own is recognised by
 * the file's fingerprint taken right after it.
 */

#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "applier.h"
#include "log.h"

/* Room for many events at once: one read empties a burst. */
#define WATCH_BUF	4096

static void
fingerprint_of(struct watch_fingerprint *fp, const struct stat *sb)
{
	memset(fp, 0, sizeof(*fp));
	fp->exists = 1;
	fp->dev = sb->st_dev;
	fp->ino = sb->st_ino;
	fp->size = sb->st_size;
	fp->mtim = sb->st_mtim;
	fp->ctim = sb->st_ctim;
}

/* 0 with *fp (exists 0: there is no file), or -1 when stat(2) failed. */
static int
fingerprint_path(const char *path, struct watch_fingerprint *fp)
{
	struct stat	sb;

	if (lstat(path, &sb) == -1) {
		if (errno != ENOENT)
			return -1;
		memset(fp, 0, sizeof(*fp));
		return 0;
	}
	fingerprint_of(fp, &sb);
	return 0;
}

static int
fingerprint_equal(const struct watch_fingerprint *a,
    const struct watch_fingerprint *b)
{
	return a->exists == b->exists && a->dev == b->dev &&
	    a->ino == b->ino && a->size == b->size &&
	    a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec &&
	    a->ctim.tv_sec == b->ctim.tv_sec &&
	    a->ctim.tv_nsec == b->ctim.tv_nsec;
}

/* Is path as it was fingerprinted? A file that cannot be stat'd is not. */
static int
unchanged(const char *path, const struct watch_fingerprint *fp)
{
	struct watch_fingerprint	now;

	return fingerprint_path(path, &now) == 0 && fingerprint_equal(&now, fp);
}

static int
join(char *buf, size_t len, const char *root, const char *sub)
{
	return (size_t)snprintf(buf, len, "%s%s%s", root,
	    root[strlen(root) - 1] == '/' ? "" : "/", sub) >= len ? -1 : 0;
}

/*
 * Reads slot's file into the cache. An error other than its absence is
 * not kept: the next cycle tries again, and says so again.
 */
static void
read_file(struct applier *a, struct watch_file *f, const char *path)
{
	struct stat	sb;
	char		err[128];

	f->valid = 0;
	memset(&f->nic, 0, sizeof(f->nic));
	/*
	 * An adopted file of the earlier agent lacks our header: read for
	 * what it says (a deletion needs it), then rewritten as ours.
	 */
	f->rc = render_read_file(a->apply.renderer, path, &f->nic, &f->ours,
	    &sb, err, sizeof(err));
	switch (f->rc) {
	case -1:
		if (errno != ENOENT) {
			log_warn("%s", path);
			return;
		}
		memset(&f->fp, 0, sizeof(f->fp));
		break;
	case -2:
		log_warnx("%s: %s; it will be rewritten", path, err);
		/* FALLTHROUGH */
	default:
		fingerprint_of(&f->fp, &sb);
	}
	f->valid = 1;
}

void
watch_managed_file(struct applier *a, struct managed_nic *m)
{
	struct watch_file	*f;
	char			 path[PATH_MAX], err[128];

	m->has_file = 0;
	memset(&m->file, 0, sizeof(m->file));
	if (m->slot < 0 || m->slot >= PLAN_SLOTS ||
	    a->apply.renderer->path(a->conf.config_root, m->slot, path,
	    sizeof(path)) == -1)
		return;
	f = &a->watch.files[m->slot];
	/* Without inotify, the fingerprint says whether to read it again. */
	if (f->valid && a->watch.fd == -1 && !unchanged(path, &f->fp))
		f->valid = 0;
	if (!f->valid)
		read_file(a, f, path);
	if (!f->valid || f->rc == -1)
		return;
	m->file = f->nic;
	if (f->rc == 0 && memcmp(f->nic.mac, m->mac, MAC_LEN) == 0 &&
	    f->nic.slot == m->slot)
		m->has_file = f->ours;
	/*
	 * Source routing's own files (ifcfg, wicked) are part of it; small,
	 * and read only in a cycle that plans, so they are not cached.
	 */
	if (m->has_file && a->apply.renderer->nextra > 0 &&
	    render_read_extras(a->apply.renderer, a->conf.config_root,
	    &m->file, err, sizeof(err)) == -1) {
		log_warnx("%s; it will be rewritten", err);
		m->has_file = 0;
	}
}

/* The name map's slot, if it is one. */
static int
managed_slot(const struct applier *a, int slot)
{
	size_t	i;

	for (i = 0; i < a->names.count; i++)
		if (a->names.entries[i].slot == slot)
			return 1;
	return 0;
}

void
watch_sync(struct applier *a)
{
	struct watch_file	*f;
	char			 path[PATH_MAX];
	int			 slot;

	for (slot = 0; slot < PLAN_SLOTS; slot++) {
		f = &a->watch.files[slot];
		if (!managed_slot(a, slot) || a->apply.renderer->path(
		    a->conf.config_root, slot, path, sizeof(path)) == -1) {
			f->valid = 0;
			continue;
		}
		if (!f->valid || !unchanged(path, &f->fp))
			read_file(a, f, path);
	}
}

void
watch_udev_rules(struct applier *a)
{
	struct watch	*w = &a->watch;
	uint8_t		 macs[NAMES_MAX][MAC_LEN];
	int		 slots[NAMES_MAX];
	char		 path[PATH_MAX];
	size_t		 i, n = a->names.count;

	if (!a->apply.renderer->udev_rules)
		return;
	for (i = 0; i < n; i++) {
		memcpy(macs[i], a->names.entries[i].mac, MAC_LEN);
		slots[i] = a->names.entries[i].slot;
	}
	if (render_udev_path(a->conf.config_root, path, sizeof(path)) == -1) {
		log_warnx("the udev rules' path is too long");
		return;
	}
	if (w->udev_valid && w->udev_count == n &&
	    memcmp(w->udev_macs, macs, n * sizeof(macs[0])) == 0 &&
	    memcmp(w->udev_slots, slots, n * sizeof(slots[0])) == 0 &&
	    (w->fd != -1 || unchanged(path, &w->udev_fp)))
		return;
	w->udev_valid = 0;
	if (render_udev_rules(a->conf.config_root, (const uint8_t (*)[6])macs,
	    slots, n) == -1) {
		log_warn("cannot write the udev rules");
		return;
	}
	if (fingerprint_path(path, &w->udev_fp) == -1)
		return;
	memcpy(w->udev_macs, macs, n * sizeof(macs[0]));
	memcpy(w->udev_slots, slots, n * sizeof(slots[0]));
	w->udev_count = n;
	w->udev_valid = 1;
}

static void
forget_all(struct watch *w)
{
	int	slot;

	for (slot = 0; slot < PLAN_SLOTS; slot++)
		w->files[slot].valid = 0;
	w->udev_valid = 0;
}

/* A watched directory went away: fingerprints from now on. */
static void
watch_lost(struct applier *a, const char *why)
{
	struct watch	*w = &a->watch;

	log_warnx("managed files: %s; checked by stat fingerprints each cycle"
	    " from now on", why);
	event_free(w->ev);
	w->ev = NULL;
	(void)close(w->fd);
	w->fd = -1;
	forget_all(w);
	a->files_dirty = 1;
	cycle_soon(a, why);
}

static int
path_named(const char *path, const char *name)
{
	const char	*base = strrchr(path, '/');

	return strcmp(base == NULL ? path : base + 1, name) == 0;
}

/*
 * A managed slot's file named name, or -1; *extra says it is one of the
 * slot's source routing files, which are not cached (path is the main
 * file's either way).
 */
static int
slot_named(const struct applier *a, const char *name, char *path, size_t len,
    int *extra)
{
	const struct renderer	*r = a->apply.renderer;
	char			 other[PATH_MAX];
	int			 slot, i;

	for (slot = 0; slot < PLAN_SLOTS; slot++) {
		if (!managed_slot(a, slot) ||
		    r->path(a->conf.config_root, slot, path, len) == -1)
			continue;
		if ((*extra = 0, path_named(path, name)))
			return slot;
		for (i = 0; i < r->nextra; i++)
			if (r->extra_path(a->conf.config_root, slot, i, other,
			    sizeof(other)) == 0 && path_named(other, name)) {
				*extra = 1;
				return slot;
			}
	}
	return -1;
}

/*
 * The applier writes a file beside it and renames it over, and removes it:
 * a write in place or a change of attributes is always someone else's.
 */
#define FOREIGN_EVENTS	(IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB)

/* Ours (the fingerprint taken after our write) or someone else's? */
static void
file_event(struct applier *a, const char *name, uint32_t mask)
{
	struct watch_file	*f;
	char			 path[PATH_MAX];
	int			 slot, extra;

	if ((slot = slot_named(a, name, path, sizeof(path), &extra)) == -1)
		return;
	f = &a->watch.files[slot];
	/*
	 * A routing file has no fingerprint: ours or not, a cycle reads it,
	 * and is a quiet one when the file is as it should be.
	 */
	if (extra) {
		log_debug("%s: a routing file beside it changed", path);
		a->files_dirty = 1;
		cycle_soon(a, "a managed routing file changed");
		return;
	}
	if (!(mask & FOREIGN_EVENTS) && f->valid && unchanged(path, &f->fp))
		return;
	/* Once per change, not once per event of an editor's burst. */
	if (f->valid)
		log_info("%s changed outside multinicd; checking it", path);
	f->valid = 0;
	a->files_dirty = 1;
	cycle_soon(a, "a managed file changed");
}

static void
udev_event(struct applier *a, const char *name, uint32_t mask)
{
	struct watch	*w = &a->watch;
	char		 path[PATH_MAX];

	if (strcmp(name, RENDER_UDEV_FILE) != 0 ||
	    render_udev_path(a->conf.config_root, path, sizeof(path)) == -1)
		return;
	if (!(mask & FOREIGN_EVENTS) && w->udev_valid &&
	    unchanged(path, &w->udev_fp))
		return;
	if (w->udev_valid)
		log_info("%s changed outside multinicd; checking it", path);
	w->udev_valid = 0;
	cycle_soon(a, "the udev rules changed");
}

/* Returns -1 once the watch is gone. */
static int
handle_event(struct applier *a, const struct inotify_event *ev)
{
	struct watch	*w = &a->watch;

	if (ev->mask & IN_Q_OVERFLOW) {
		log_warnx("managed files: inotify queue overflowed; reading"
		    " them all again");
		forget_all(w);
		a->files_dirty = 1;
		cycle_soon(a, "inotify queue overflow");
		return 0;
	}
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
		watch_lost(a, "a watched directory was removed or moved");
		return -1;
	}
	if (ev->len == 0 || memchr(ev->name, '\0', ev->len) == NULL)
		return 0;
	if (ev->wd == w->wd_config)
		file_event(a, ev->name, ev->mask);
	else if (ev->wd == w->wd_udev)
		udev_event(a, ev->name, ev->mask);
	return 0;
}

static void
on_inotify(evutil_socket_t fd, short events, void *arg)
{
	struct applier			*a = arg;
	char				 buf[WATCH_BUF]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	ssize_t				 n, off;

	(void)events;
	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				watch_lost(a, "cannot read inotify events");
			return;
		}
		/* The kernel writes whole events; anything else is a bug. */
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n;
		    off += (ssize_t)(sizeof(*ev) + ev->len)) {
			ev = (const struct inotify_event *)(buf + off);
			if (off + (ssize_t)(sizeof(*ev) + ev->len) > n ||
			    handle_event(a, ev) == -1)
				return;
		}
	}
}

static int
add_watch(struct watch *w, const char *root, const char *dir, int *wd,
    char *why, size_t whylen)
{
	char	path[PATH_MAX];

	if (join(path, sizeof(path), root, dir) == -1) {
		snprintf(why, whylen, "%s: path too long", dir);
		return -1;
	}
	if ((*wd = inotify_add_watch(w->fd, path, WATCH_INOTIFY_MASK)) == -1) {
		snprintf(why, whylen, "inotify_add_watch %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
watch_open(struct applier *a, char *why, size_t whylen)
{
	struct watch	*w = &a->watch;

	if ((w->fd = inotify_init1(WATCH_INOTIFY_FLAGS)) == -1) {
		snprintf(why, whylen, "inotify_init1: %s", strerror(errno));
		return -1;
	}
	if (add_watch(w, a->conf.config_root, a->apply.renderer->dir,
	    &w->wd_config, why, whylen) == -1)
		return -1;
	if (a->apply.renderer->udev_rules && add_watch(w, a->conf.config_root,
	    RENDER_UDEV_DIR, &w->wd_udev, why, whylen) == -1)
		return -1;
	if ((w->ev = event_new(a->base, w->fd, EV_READ | EV_PERSIST,
	    on_inotify, a)) == NULL || event_add(w->ev, NULL) == -1) {
		snprintf(why, whylen, "cannot watch the inotify descriptor");
		return -1;
	}
	return 0;
}

/* Says once which method serves, and why not inotify. */
void
watch_init(struct applier *a)
{
	struct watch	*w = &a->watch;
	char		 why[PATH_MAX + 64];

	w->fd = w->wd_config = w->wd_udev = -1;
	if (watch_open(a, why, sizeof(why)) == 0) {
		log_info("managed files: watched by inotify");
		return;
	}
	if (w->ev != NULL)
		event_free(w->ev);
	w->ev = NULL;
	if (w->fd != -1)
		(void)close(w->fd);
	w->fd = -1;
	log_info("managed files: checked by stat fingerprints each cycle (%s)",
	    why);
}
