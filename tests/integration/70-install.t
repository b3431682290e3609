#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make install puts every file where doc/architecture.md, 6 says, with its mode,
# never touches an existing /etc/multinic/multinicd.conf, and make uninstall
# removes exactly what install wrote.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

require_root_and_build
make_test_dir
trap 'rm -rf "$TEST_DIR"' EXIT

# run_make LOG ARG...: make in the source tree, quiet unless it fails.
run_make() {
	local log=$1
	shift
	# Not the settings of a make that may be running these tests.
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$top" --no-print-directory BUILD="$MULTINIC_BUILD" "$@" \
	    >"$log" 2>&1; then
		diag "make $* failed:"
		diag "$(tail -n 20 "$log")"
		return 1
	fi
}

# files_in DIR: every file and symlink below DIR, relative, sorted.
files_in() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort)
}

# The installed files, PREFIX=/usr/local, mode each; what ships only
# once a branch has landed (multinicctl, man pages) is listed when its
# sources are in the tree.
expected_files() {
	echo "755 usr/local/sbin/multinicd"
	[ ! -d "$top/multinicctl" ] || echo "755 usr/local/sbin/multinicctl"
	echo "755 usr/local/libexec/multinic/multinicd-fetcher"
	echo "755 usr/local/libexec/multinic/multinicd-applier"
	local page
	for page in multinicd.8 multinicctl.8 multinicd.conf.5; do
		[ ! -e "$top/man/$page" ] ||
		    echo "644 usr/local/share/man/man${page##*.}/$page"
	done
	echo "644 usr/local/share/doc/multinic/multinicd.conf.example"
	echo "644 usr/local/share/doc/multinic/schema.sql"
	echo "644 usr/local/share/doc/multinic/README.md"
	echo "644 usr/local/share/doc/multinic/NEWS"
	echo "644 usr/local/share/doc/multinic/doc/architecture.md"
	echo "644 usr/local/share/bash-completion/completions/multinicctl"
	echo "644 usr/local/lib/systemd/system/multinicd.service"
	echo "644 usr/local/lib/sysusers.d/multinicd.conf"
	echo "755 etc/init.d/multinicd"
}

[ -d "$top/multinicctl" ] ||
    diag "no multinicctl/ in the tree yet: multinicctl is not expected"
[ -e "$top/man/multinicd.8" ] ||
    diag "no man/ pages in the tree yet: man pages are not expected"

# 1. A DESTDIR that already has a configuration and an unrelated file.
dest=$TEST_DIR/dest
mkdir -p "$dest/etc/multinic" "$dest/usr/local/sbin"
echo "DB_HOST=db.example" >"$dest/etc/multinic/multinicd.conf"
chmod 0640 "$dest/etc/multinic/multinicd.conf"
touch -d '2020-01-02 03:04:05' "$dest/etc/multinic/multinicd.conf"
echo "not ours" >"$dest/usr/local/sbin/other-tool"
conf_before=$(stat -c '%a %s %Y' "$dest/etc/multinic/multinicd.conf")
files_before=$(files_in "$dest")

ok "make install DESTDIR=... succeeds" run_make "$TEST_DIR/install.log" \
    install DESTDIR="$dest" || abort_test "cannot install"

while read -r mode path; do
	if [ ! -f "$dest/$path" ]; then
		fail "$path is installed"
		continue
	fi
	is "$(stat -c %a "$dest/$path")" "$mode" "$path is installed, mode $mode"
done < <(expected_files)

installed=$(comm -13 <(echo "$files_before") <(files_in "$dest"))
is "$installed" "$(expected_files | awk '{ print $2 }' | sort)" \
    "install writes those files and no other"

for path in usr/local/sbin/multinicd usr/local/libexec/multinic/multinicd-fetcher \
    usr/local/libexec/multinic/multinicd-applier; do
	ok "$path is the one built" cmp -s "$MULTINIC_BUILD/${path##*/}" \
	    "$dest/$path"
done
ok "the example config is etc/multinicd.conf.example" cmp -s \
    "$top/etc/multinicd.conf.example" \
    "$dest/usr/local/share/doc/multinic/multinicd.conf.example"
for doc in README.md NEWS doc/architecture.md; do
	ok "the operator's $doc is installed as it is" cmp -s "$top/$doc" \
	    "$dest/usr/local/share/doc/multinic/$doc"
done
ok "the bash completion is etc/bash-completion/multinicctl" cmp -s \
    "$top/etc/bash-completion/multinicctl" \
    "$dest/usr/local/share/bash-completion/completions/multinicctl"
like "$(grep '^\.Os' "$dest/usr/local/share/man/man8/multinicd.8")" \
    "^\\.Os multinic $(cat "$top/VERSION")\$" "the man pages carry the version"
ok "the sysusers file is etc/sysusers.d/multinicd.conf" cmp -s \
    "$top/etc/sysusers.d/multinicd.conf" \
    "$dest/usr/local/lib/sysusers.d/multinicd.conf"
like "$(grep '^ExecStart=' "$dest/usr/local/lib/systemd/system/multinicd.service")" \
    '^ExecStart=/usr/local/sbin/multinicd -d$' "the unit starts the installed multinicd"
like "$(grep '^DAEMON=' "$dest/etc/init.d/multinicd")" \
    '/usr/local/sbin/multinicd' "so does the rc script"

is "$(stat -c '%a %s %Y' "$dest/etc/multinic/multinicd.conf")" "$conf_before" \
    "an existing multinicd.conf keeps its mode, size and time"
is "$(cat "$dest/etc/multinic/multinicd.conf")" "DB_HOST=db.example" \
    "and its content"

ok "make uninstall DESTDIR=... succeeds" run_make "$TEST_DIR/uninstall.log" \
    uninstall DESTDIR="$dest"
is "$(files_in "$dest")" "$files_before" \
    "uninstall leaves exactly the files that were there before install"
for dir in usr/local/libexec/multinic usr/local/share/doc/multinic \
    usr/local/share/doc/multinic/doc; do
	ok "$dir is gone" eval "[ ! -e '$dest/$dir' ]"
done
ok "the directories others use stay" eval "[ -d '$dest/usr/local/sbin' ]"

# 2. A fresh DESTDIR: install writes the example as the configuration,
# mode 0600; uninstall takes it only while it is unchanged.
fresh=$TEST_DIR/fresh
run_make "$TEST_DIR/install2.log" install DESTDIR="$fresh"
is "$(stat -c %a "$fresh/etc/multinic/multinicd.conf" 2>&1)" 600 \
    "a fresh install writes multinicd.conf, mode 0600"
ok "holding the example" cmp -s "$top/etc/multinicd.conf.example" \
    "$fresh/etc/multinic/multinicd.conf"
run_make "$TEST_DIR/install3.log" install DESTDIR="$fresh"
ok "a second install keeps it" cmp -s "$top/etc/multinicd.conf.example" \
    "$fresh/etc/multinic/multinicd.conf"
run_make "$TEST_DIR/uninstall2.log" uninstall DESTDIR="$fresh"
is "$(files_in "$fresh")" "" "uninstall removes every file install wrote"
ok "and /etc/multinic" eval "[ ! -e '$fresh/etc/multinic' ]"
ok "a second uninstall has nothing to do and succeeds" \
    run_make "$TEST_DIR/uninstall-again.log" uninstall DESTDIR="$fresh"

run_make "$TEST_DIR/install4.log" install DESTDIR="$fresh"
echo "DB_HOST=db.example" >>"$fresh/etc/multinic/multinicd.conf"
run_make "$TEST_DIR/uninstall3.log" uninstall DESTDIR="$fresh"
is "$(files_in "$fresh")" "etc/multinic/multinicd.conf" \
    "a configuration changed since install is kept by uninstall"

# 2b. Without DESTDIR, uninstall stops and disables the service before it
# removes a file: systemctl where systemd runs, else the rc script and
# update-rc.d (stand-ins that log what they see, on a staged tree).
stage=$TEST_DIR/stage
fake=$TEST_DIR/fakebin
log=$TEST_DIR/service.log
mkdir -p "$fake" "$TEST_DIR/systemd-run"
for tool in systemctl update-rc.d rc-script; do
	cat >"$fake/$tool" <<EOF
#!/bin/sh
[ -e "$stage/usr/local/sbin/multinicd" ] && files=present || files=gone
echo "$tool \$* (files \$files)" >>"$log"
EOF
	chmod 0755 "$fake/$tool"
done
staged_uninstall() {
	PATH=$fake:$PATH run_make "$TEST_DIR/uninstall-staged.log" uninstall \
	    DESTDIR= PREFIX="$stage/usr/local" CONFDIR="$stage/etc/multinic" \
	    INITDIR="$stage/etc/init.d" "$@"
}
run_make "$TEST_DIR/install-staged.log" install DESTDIR="$stage"
staged_uninstall SYSTEMD_RUNDIR="$TEST_DIR/systemd-run"
is "$(cat "$log" 2>&1)" "systemctl disable --now multinicd.service (files present)" \
    "under systemd, uninstall disables and stops the unit first"
is "$(files_in "$stage")" "" "then removes the files"

rm -f "$log"
run_make "$TEST_DIR/install-staged2.log" install DESTDIR="$stage"
# The staged rc script is a stand-in too.
cp "$fake/rc-script" "$stage/etc/init.d/multinicd"
staged_uninstall SYSTEMD_RUNDIR="$TEST_DIR/no-systemd"
is "$(cat "$log" 2>&1)" "rc-script stop (files present)
update-rc.d -f multinicd remove (files present)" \
    "without systemd, it stops the rc script and removes its links first"
is "$(files_in "$stage")" "" "then removes the files"

# 3. PREFIX=/usr: systemd's /usr/lib directories, and a supervisor built
# for /usr/libexec (in a build directory of its own).
usr=$TEST_DIR/usr
ok "make install PREFIX=/usr succeeds" run_make "$TEST_DIR/install5.log" \
    -j2 BUILD="$TEST_DIR/build" PREFIX=/usr install DESTDIR="$usr"
for path in usr/sbin/multinicd usr/libexec/multinic/multinicd-fetcher \
    usr/libexec/multinic/multinicd-applier \
    usr/lib/systemd/system/multinicd.service \
    usr/lib/sysusers.d/multinicd.conf usr/share/doc/multinic/schema.sql \
    usr/share/doc/multinic/README.md \
    usr/share/bash-completion/completions/multinicctl; do
	ok "PREFIX=/usr: $path" eval "[ -f '$usr/$path' ]"
done
like "$(grep '^ExecStart=' "$usr/usr/lib/systemd/system/multinicd.service")" \
    '^ExecStart=/usr/sbin/multinicd -d$' "PREFIX=/usr: the unit starts /usr/sbin/multinicd"
ok "PREFIX=/usr: the supervisor looks for its children in /usr/libexec/multinic" \
    grep -q /usr/libexec "$usr/usr/sbin/multinicd"

# The man pages name the installed paths, also in a plain make's build.
man8=$usr/usr/share/man/man8
ok "PREFIX=/usr: multinicd(8) names /usr/libexec/multinic/" \
    grep -q '^\.It Pa /usr/libexec/multinic/$' "$man8/multinicd.8"
ok "and /usr/share/doc/multinic/" \
    grep -q '^\.It Pa /usr/share/doc/multinic/$' "$man8/multinicd.8"
ok "multinicctl(8) names /usr/share/bash-completion/completions/multinicctl" \
    grep -q '^\.It Pa /usr/share/bash-completion/completions/multinicctl$' \
    "$man8/multinicctl.8"
is "$(grep -l /usr/local "$usr"/usr/share/man/man*/*)" "" \
    "PREFIX=/usr: no installed man page mentions /usr/local"
ok "make PREFIX=/usr leaves such man pages in BUILD/man too" \
    grep -q '^\.It Pa /usr/libexec/multinic/$' "$TEST_DIR/build/man/multinicd.8"

done_testing
