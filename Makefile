# multinic: node agent for secondary NICs. GNU make.

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBEXECDIR	?= $(PREFIX)/libexec
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/multinic
BUILD		?= build
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
		   -DLIBEXECDIR='"$(LIBEXECDIR)"' \
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

# Objects live apart from the programs: build/multinicctl is one.
objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

PROGS		:= $(BUILD)/multinicd $(BUILD)/multinicd-fetcher \
		   $(BUILD)/multinicd-applier $(BUILD)/multinicctl
UNIT_TESTS	:= $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all check unit unit-sanitized integration deps clean
all: $(PROGS)

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h) $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(call objs,$(COMMON_SRCS))
$(BUILD)/libsupervisor.a: $(call objs,$(SUPERVISOR_SRCS))
$(BUILD)/libfetcher.a: $(call objs,$(FETCHER_SRCS))
$(BUILD)/libapplier.a: $(call objs,$(APPLIER_SRCS))
$(BUILD)/libctl.a: $(call objs,$(CTL_SRCS))
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
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libsupervisor.a \
    $(BUILD)/libfetcher.a $(BUILD)/libapplier.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_TEST)

deps:
	@sh scripts/install-deps.sh

check: deps
	$(MAKE) all $(UNIT_TESTS)
	$(MAKE) unit unit-sanitized integration

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

clean:
	rm -rf $(BUILD)
