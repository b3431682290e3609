#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# multinic.spec: its version is VERSION, rpmlint finds nothing, and
# rpmbuild -bs makes a source RPM from the release tarball ("make dist", or
# git archive of HEAD where the tree has no dist target). Binary RPMs are
# built on the target distribution: here they would link Debian's libraries.
# Needs neither root nor a build.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

top=$(cd "$here/../.." && pwd)
spec=$top/multinic.spec
command -v rpmbuild >/dev/null ||
    skip_all "no rpmbuild (scripts/install-deps.sh check installs rpm)"
command -v rpmlint >/dev/null ||
    skip_all "no rpmlint (scripts/install-deps.sh check installs it)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(cat "$top/VERSION")

# rpmspec's view of a tag, macros expanded. Debian's rpm has no systemd
# macros; the target distributions get them from systemd-rpm-macros.
rpm_defs=(--define "_unitdir /usr/lib/systemd/system"
    --define "_sysusersdir /usr/lib/sysusers.d" --define "_topdir $work/rpm")
tag() {
	rpmspec "${rpm_defs[@]}" -q --srpm --qf "%{$1}" "$spec" 2>/dev/null
}
is "$(tag VERSION)" "$version" "the spec's Version is VERSION"
is "$(tag LICENSE)" ISC "License: ISC"

out=$(cd "$top" && rpmlint -r multinic.rpmlintrc multinic.spec 2>&1)
status=$?
like "$out" " 0 errors, 0 warnings" "rpmlint: no error, no warning" ||
    diag "$out"
is "$status" 0 "rpmlint exits 0"

tarball=$work/rpm/SOURCES/multinic-$version.tar.gz
mkdir -p "$work/rpm/SOURCES"
if grep -q '^dist:' "$top/Makefile"; then
	(cd "$top" && make -s dist >"$work/dist.log" 2>&1)
	made=$(find "$top" -maxdepth 2 -name "multinic-$version.tar.gz" -newer \
	    "$work/rpm" | head -n 1)
	[ -n "$made" ] && cp "$made" "$tarball"
elif git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" archive --format=tar.gz --prefix="multinic-$version/" \
	    -o "$tarball" HEAD
fi
[ -f "$tarball" ] || skip_all "no release tarball: no make dist, no git"

out=$(rpmbuild "${rpm_defs[@]}" -bs "$spec" 2>&1)
ok "rpmbuild -bs makes a source RPM" test $? -eq 0 || diag "$out"
srpm=$work/rpm/SRPMS/multinic-$version-1.src.rpm
ok "it is multinic-$version-1.src.rpm" test -f "$srpm"
is "$(rpm -qp --qf '%{LICENSE}' "$srpm" 2>/dev/null)" ISC "the source RPM says ISC"
is "$(rpm -qpl "$srpm" 2>/dev/null | sort | tr '\n' ' ')" \
    "multinic-$version.tar.gz multinic.spec " "it holds the spec and the tarball"
requires=$(rpm -qp --requires "$srpm" 2>/dev/null)
for pc in json-c libbsd libevent_core libevent_extra libmariadb libmnl \
    libseccomp yaml-0.1; do
	like "$requires" "^pkgconfig\\($pc\\)" "BuildRequires pkgconfig($pc) (Makefile's pkg-config)"
done

# %files lists what make install writes (less the rc script): the package
# build would fail on anything installed and not listed.
nice make -s -C "$top" install DESTDIR="$work/root" PREFIX=/usr \
    SYSTEMDUNITDIR=/usr/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d \
    BUILD="$work/build" >/dev/null 2>&1
installed=$(cd "$work/root" && find . -type f | sed 's|^\.||' |
    grep -v '^/etc/init.d/' | sort)
listed=$(rpmspec "${rpm_defs[@]}" --define "_prefix /usr" -P "$spec" 2>/dev/null |
    sed -n '/^%files/,/^%changelog/p' | awk '$NF ~ /^\// { print $NF }' |
    sed 's/\*$//' | sort)
missing=$(while read -r f; do
	grep -qxF "$f" <<<"$listed" || grep -qF "${f%.gz}" <<<"$listed" ||
	    echo "$f"
    done <<<"$installed")
is "$missing" "" "every file make install writes is in %files"

done_testing
