# multinic: node agent for secondary NICs. GNU make.

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBEXECDIR	?= $(PREFIX)/libexec
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/multinic
# Where systemd looks for units and sysusers.d files below PREFIX: it reads
# /usr/local/lib/systemd/system and /usr/local/lib/sysusers.d as well as
# /usr/lib/... (systemd.unit(5), sysusers.d(5)).
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
# Not below PREFIX: multinicd reads /etc/multinic/multinicd.conf and rc
# scripts live in /etc/init.d (set them only to stage an install elsewhere).
CONFDIR		?= /etc/multinic
INITDIR		?= /etc/init.d
BUILD		?= build
INSTALL		?= install
VERSION		:= 0.1.0

PKG_CONFIG	?= pkg-config
CC		?= cc

# SECCOMP_AUDIT=1 makes the filters log instead of kill (sanitizer runs,
# finding a missing syscall).
SECCOMP_AUDIT	?= 0

pkgcflags = $(shell $(PKG_CONFIG) --cflags $(1))
pkglibs = $(shell $(PKG_CONFIG) --libs $(1))

HARDEN_CFLAGS	:= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LDFLAGS	:= -pie -Wl,-z,relro,-z,now
OPTFLAGS	?= -O2 -g
CFLAGS		+= $(OPTFLAGS) -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror $(HARDEN_CFLAGS) -Iinclude \
		   -DMULTINIC_VERSION='"$(VERSION)"' \
		   -DSBINDIR='"$(SBINDIR)"' -DLIBEXECDIR='"$(LIBEXECDIR)"' \
		   -DSECCOMP_AUDIT=$(SECCOMP_AUDIT) \
		   $(call pkgcflags,libevent_core libbsd-overlay json-c libmariadb libmnl yaml-0.1 libseccomp)
LDFLAGS		+= $(HARDEN_LDFLAGS) $(LDEXTRA)

# Each executable links only what it needs: the root applier maps no
# libmariadb, no TLS library and no evhttp (libevent_extra).
LIBS_COMMON	:= $(call pkglibs,libevent_core libbsd json-c)
LIBS_SUPERVISOR	:= $(call pkglibs,libbsd-ctor) $(LIBS_COMMON)
LIBS_FETCHER	:= $(call pkglibs,libbsd-ctor libevent_extra libmariadb libseccomp) $(LIBS_COMMON)
LIBS_APPLIER	:= $(call pkglibs,libbsd-ctor libseccomp libmnl yaml-0.1) $(LIBS_COMMON)
LIBS_CTL	:= $(LIBS_COMMON)
LIBS_TEST	:= $(call pkglibs,cmocka libevent_extra libmariadb libseccomp libmnl yaml-0.1) $(LIBS_COMMON)

COMMON_SRCS	:= $(wildcard common/*.c)
SUPERVISOR_SRCS	:= $(wildcard supervisor/*.c)
FETCHER_SRCS	:= $(wildcard fetcher/*.c)
APPLIER_SRCS	:= $(wildcard applier/*.c)
CTL_SRCS	:= $(wildcard multinicctl/*.c)
UNIT_SRCS	:= $(wildcard tests/unit/test_*.c)

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))

PROGS		:= $(BUILD)/multinicd $(BUILD)/multinicd-fetcher \
		   $(BUILD)/multinicd-applier $(BUILD)/multinicctl
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
MAN5		:= $(wildcard man/*.5)
MAN8		:= $(wildcard man/*.8)

.PHONY: all check unit unit-sanitized integration deps fuzz fuzz-run bench \
	clean demo install uninstall FORCE
all: $(PROGS)

# The supervisor embeds SBINDIR and LIBEXECDIR: "make; make install
# PREFIX=/usr" must rebuild it rather than install one that looks for its
# children under /usr/local.
PATHS_STAMP	:= $(BUILD)/paths.stamp
PATHS		:= SBINDIR=$(SBINDIR) LIBEXECDIR=$(LIBEXECDIR)
$(PATHS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(PATHS)' | cmp -s - $@ || echo '$(PATHS)' >$@
$(call objs,supervisor/proc.c): $(PATHS_STAMP)
FORCE:

$(BUILD)/%.o: %.c $(wildcard include/*.h) $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(call objs,$(COMMON_SRCS))
$(BUILD)/libsupervisor.a: $(call objs,$(SUPERVISOR_SRCS))
$(BUILD)/libfetcher.a: $(call objs,$(FETCHER_SRCS))
$(BUILD)/libapplier.a: $(call objs,$(APPLIER_SRCS))
# Not under $(BUILD)/multinicctl/: that is the program's own name.
$(BUILD)/libctl.a: $(patsubst multinicctl/%.c,$(BUILD)/ctl/%.o,$(CTL_SRCS))
$(BUILD)/ctl/%.o: multinicctl/%.c $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
$(BUILD)/%.a:
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/multinicd: $(BUILD)/libsupervisor.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SUPERVISOR)
$(BUILD)/multinicd-fetcher: $(BUILD)/libfetcher.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_FETCHER)
$(BUILD)/multinicd-applier: $(BUILD)/libapplier.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_APPLIER)
$(BUILD)/multinicctl: $(BUILD)/libctl.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CTL)

# A unit test links the archives; only the objects it uses are pulled in.
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libsupervisor.a \
    $(BUILD)/libfetcher.a $(BUILD)/libapplier.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_TEST)

deps:
	@sh scripts/install-deps.sh

check: deps
	$(MAKE) all $(UNIT_TESTS)
	$(MAKE) unit unit-sanitized integration
	$(MAKE) fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

# The unit tests again under ASan and UBSan: cheap, and they catch what
# the normal build lets pass.
SANITIZE	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
unit-sanitized:
	$(MAKE) BUILD=$(BUILD)/sanitized OPTFLAGS="-O1 -g $(SANITIZE)" \
	    LDEXTRA="$(SANITIZE)" unit

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "# $$t"; $$t; done

integration: all
	MULTINIC_BUILD=$(abspath $(BUILD)) prove -v tests/integration/

# libFuzzer harnesses (doc/architecture.md, 7.3): a hostile fetcher's bytes at the applier,
# hostile DB rows, managed files and configuration, under ASan and UBSan.
# FUZZ_SECONDS per harness; crashes are left in $(BUILD)/fuzz/.
FUZZ_SECONDS	?= 60
CHECK_FUZZ_SECONDS ?= 5
FUZZ_SANITIZE	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
FUZZ_TARGETS	:= $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/fuzz_*.c))
FUZZ_CORPUS	:= $(BUILD)/fuzz/corpus

fuzz: deps
	$(MAKE) BUILD=$(BUILD)/fuzzing CC=clang \
	    OPTFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE)" \
	    LDEXTRA="$(FUZZ_SANITIZE)" fuzz-run

$(FUZZ_TARGETS): $(BUILD)/fuzz/%: $(BUILD)/fuzz/%.o $(BUILD)/fuzz/fuzz.o \
    $(BUILD)/libapplier.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS_APPLIER)

$(BUILD)/fuzz/seeds: $(BUILD)/fuzz/seeds.o $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_COMMON)

# Seeds: the checked-in corpus, a snapshot stream from the real structs and
# the golden files (a leading byte picks the format: 0 netplan, 1 ifcfg,
# 2 wicked).
fuzz-run: $(FUZZ_TARGETS) $(BUILD)/fuzz/seeds
	@set -e; rm -rf $(FUZZ_CORPUS); \
	for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_CORPUS)/$${t##*/fuzz_}; done; \
	cp fuzz/corpus/rows/* $(FUZZ_CORPUS)/rows/; \
	cp fuzz/corpus/config/* $(FUZZ_CORPUS)/config/; \
	$(BUILD)/fuzz/seeds >$(FUZZ_CORPUS)/snapshot/seed; \
	n=0; for format in netplan ifcfg wicked; do \
		for f in tests/golden/$$format/*; do \
			{ printf "\\$$n"; cat "$$f"; } \
			    >$(FUZZ_CORPUS)/files/$$format-$${f##*/}; \
		done; n=$$((n + 1)); \
	done; \
	for t in $(FUZZ_TARGETS); do \
		echo "# $$t for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/ \
		    $(FUZZ_CORPUS)/$${t##*/fuzz_}; \
	done

# Benchmarks (doc/architecture.md, 7.4): measured, never asserted; results in bench/RESULTS.md.
$(BUILD)/bench/dbload: $(BUILD)/bench/dbload.o $(BUILD)/libfetcher.a \
    $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_FETCHER) -lpthread

bench: deps all $(BUILD)/bench/dbload
	MULTINIC_BUILD=$(abspath $(BUILD)) bash bench/run.sh

# A throwaway MariaDB, a namespace with three NICs and the daemon between
# them; everything is removed afterwards, also on Ctrl-C.
demo: deps
	$(MAKE) all
	MULTINIC_BUILD=$(abspath $(BUILD)) bash scripts/demo.sh

# The installed unit and rc script name the installed multinicd.
$(BUILD)/multinicd.service: etc/multinicd.service $(PATHS_STAMP)
	sed 's|/usr/local/sbin/multinicd|$(SBINDIR)/multinicd|g' $< >$@
$(BUILD)/multinicd.init: etc/multinicd.init $(PATHS_STAMP)
	sed 's|/usr/local/sbin/multinicd|$(SBINDIR)/multinicd|g' $< >$@

# Never overwrites an existing $(CONFDIR)/multinicd.conf (doc/architecture.md, 6); a
# new one is the example, mode 0600 since it will hold the DB password.
install: all $(BUILD)/multinicd.service $(BUILD)/multinicd.init
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(LIBEXECDIR)/multinic $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(INITDIR) $(DESTDIR)$(CONFDIR)
	$(INSTALL) -m 0755 $(BUILD)/multinicd $(BUILD)/multinicctl $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0755 $(BUILD)/multinicd-fetcher $(BUILD)/multinicd-applier \
	    $(DESTDIR)$(LIBEXECDIR)/multinic/
	$(if $(MAN5),$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man5)
	$(if $(MAN5),$(INSTALL) -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man8)
	$(if $(MAN8),$(INSTALL) -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	$(INSTALL) -m 0644 etc/multinicd.conf.example etc/schema.sql \
	    $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(BUILD)/multinicd.service $(DESTDIR)$(SYSTEMDUNITDIR)/
	$(INSTALL) -m 0644 etc/sysusers.d/multinicd.conf $(DESTDIR)$(SYSUSERSDIR)/
	$(INSTALL) -m 0755 $(BUILD)/multinicd.init $(DESTDIR)$(INITDIR)/multinicd
	@if [ -e $(DESTDIR)$(CONFDIR)/multinicd.conf ]; then \
	    echo "kept $(DESTDIR)$(CONFDIR)/multinicd.conf"; \
	else \
	    echo "$(INSTALL) -m 0600 etc/multinicd.conf.example $(DESTDIR)$(CONFDIR)/multinicd.conf"; \
	    $(INSTALL) -m 0600 etc/multinicd.conf.example $(DESTDIR)$(CONFDIR)/multinicd.conf; \
	fi

# Removes what install wrote and the directories only multinic uses. The
# configuration goes only while it is the untouched example.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/multinicd $(DESTDIR)$(SBINDIR)/multinicctl \
	    $(DESTDIR)$(LIBEXECDIR)/multinic/multinicd-fetcher \
	    $(DESTDIR)$(LIBEXECDIR)/multinic/multinicd-applier \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(MAN5)) \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR)/man8/%,$(MAN8)) \
	    $(DESTDIR)$(DOCDIR)/multinicd.conf.example \
	    $(DESTDIR)$(DOCDIR)/schema.sql \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/multinicd.service \
	    $(DESTDIR)$(SYSUSERSDIR)/multinicd.conf \
	    $(DESTDIR)$(INITDIR)/multinicd
	@if cmp -s etc/multinicd.conf.example $(DESTDIR)$(CONFDIR)/multinicd.conf; then \
	    echo "rm -f $(DESTDIR)$(CONFDIR)/multinicd.conf"; \
	    rm -f $(DESTDIR)$(CONFDIR)/multinicd.conf; \
	elif [ -e $(DESTDIR)$(CONFDIR)/multinicd.conf ]; then \
	    echo "kept $(DESTDIR)$(CONFDIR)/multinicd.conf (changed since install)"; \
	fi
	@for dir in $(DESTDIR)$(LIBEXECDIR)/multinic $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(CONFDIR); do \
	    if [ -d "$$dir" ] && rmdir "$$dir" 2>/dev/null; then \
	        echo "rmdir $$dir"; fi; \
	done

clean:
	rm -rf $(BUILD)
