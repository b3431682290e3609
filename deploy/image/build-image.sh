#!/bin/sh
# SPDX-License-Identifier: ISC
# Builds the container image offline from Debian packages: a Debian 12 root
# made by mmdebstrap with the multinic .deb installed by apt, from which
# only the package's files, its libraries' (its Depends, apart from the
# useradd that postinst needed) and the users are kept; podman imports that
# tree as a one-layer image and saves it as an OCI archive.
#   build-image.sh DEB VERSION OUTDIR
# Writes OUTDIR/multinic-VERSION.oci.tar; the image is also left in podman's
# storage as localhost/multinic:VERSION.
set -eu

[ $# -eq 3 ] || { echo "usage: build-image.sh DEB VERSION OUTDIR" >&2; exit 2; }
deb=$(realpath "$1")
version=$2
out=$3
image=localhost/multinic:$version

work=$(mktemp -d "$out/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
slim=$work/slim

# --variant=essential: dpkg and a shell for the maintainer scripts, no apt
# inside (apt runs outside). No documentation, manual pages or locales.
nice mmdebstrap --quiet --variant=essential \
    --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --include="$deb" bookworm "$root"

# multinic and its Depends, recursively; passwd (useradd) and
# init-system-helpers only serve the maintainer scripts.
closure=multinic
todo=multinic
while [ -n "$todo" ]; do
	# shellcheck disable=SC2016,SC2086 # a dpkg-query format; a word a package
	deps=$(chroot "$root" dpkg-query -W -f='${Pre-Depends}, ${Depends}\n' $todo |
	    sed 's/[,|]/\n/g' | sed 's/(.*)//; s/:any//; s/[[:space:]]//g' |
	    grep -v '^$' | sort -u)
	todo=
	for pkg in $deps; do
		case " $closure passwd init-system-helpers " in *" $pkg "*) continue ;; esac
		chroot "$root" dpkg-query -W "$pkg" >/dev/null 2>&1 || continue
		closure="$closure $pkg"
		todo="$todo $pkg"
	done
done
echo "build-image: packages:$closure"

# Debian 12 is merged-/usr, its packages' paths are not: /lib, /bin and the
# like are links into /usr, made before anything is unpacked through them.
mkdir -p "$slim/usr"
for link in bin lib lib64 sbin; do
	if [ -L "$root/$link" ]; then
		mkdir -p "$slim/usr/$link"
		cp -P "$root/$link" "$slim/$link"
	fi
done
# shellcheck disable=SC2086 # one package a word
chroot "$root" dpkg-query -L $closure | sort -u | while read -r path; do
	if [ -f "$root$path" ] || [ -L "$root$path" ]; then
		echo ".$path"
	fi
done >"$work/files"
tar -C "$root" -cf - --no-recursion -T "$work/files" | tar -C "$slim" -xpf -
mkdir -p "$slim/etc" "$slim/tmp" "$slim/run" "$slim/var/lib/multinic"
chmod 1777 "$slim/tmp"
grep -E '^(root|_multinic):' "$root/etc/passwd" >"$slim/etc/passwd"
grep -E '^(root|_multinic):' "$root/etc/group" >"$slim/etc/group"
cp "$root/etc/nsswitch.conf" "$slim/etc/"

created=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%dT%H:%M:%SZ)
tar -C "$slim" --sort=name --numeric-owner -cf "$work/rootfs.tar" .
podman import \
    --change 'ENTRYPOINT ["/usr/sbin/multinicd", "-d"]' \
    --change 'ENV LOG_FORMAT=json' \
    --change "LABEL org.opencontainers.image.title=multinic" \
    --change "LABEL org.opencontainers.image.description=\"node agent for secondary NICs\"" \
    --change "LABEL org.opencontainers.image.version=$version" \
    --change "LABEL org.opencontainers.image.licenses=ISC" \
    --change "LABEL org.opencontainers.image.vendor=\"The multinic authors\"" \
    --change "LABEL org.opencontainers.image.created=$created" \
    --change "LABEL org.opencontainers.image.base.name=debian:bookworm" \
    "$work/rootfs.tar" "$image" >/dev/null
rm -f "$out/multinic-$version.oci.tar"
podman save --format oci-archive -o "$out/multinic-$version.oci.tar" "$image"
echo "build-image: $out/multinic-$version.oci.tar ($image):" \
    "$(du -sk "$slim" | cut -f1) KiB unpacked," \
    "$(gzip -9 -c "$work/rootfs.tar" | wc -c | awk '{ printf "%d", $1 / 1024 }') KiB gzipped"
