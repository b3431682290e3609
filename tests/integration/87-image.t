#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The container image (make image) under a real runtime: podman with runc
# runs it in a network namespace holding a veth NIC, with --cap-drop=ALL
# plus the unit's CapabilityBoundingSet and podman's default seccomp
# profile, configured from the environment with the DB password from a
# mounted secret. The NIC is named and configured, its netplan file lands in
# the host directory at CONFIG_ROOT, /healthz and /readyz answer, and podman
# stop ends it cleanly. Slow (a package build and a root from the apt mirror).
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"
. "$here/../lib/package.sh"

test_begin podman runc mmdebstrap dpkg-buildpackage dh curl jq
chmod 0755 "$TEST_DIR"
container=multinic-test-$$
image_cleanup() {
	podman rm -f "$container" >/dev/null 2>&1
	test_cleanup
}
trap image_cleanup EXIT

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
node_create || bail_out "cannot create a namespace"
NODE_ROOT=$TEST_DIR/root
mkdir -p "$NODE_ROOT/etc/netplan"
node_nic ens5 fa:16:3e:83:00:01
row_add fa:16:3e:83:00:01 10.83.0.5 10.83.0.0/24 1400

ok "make image builds the OCI archive" package_make "$TEST_DIR/image.log" \
    image DEB_DIR="$TEST_DIR/deb" IMAGE_DIR="$TEST_DIR/image" ||
    abort_test "no image"
diag "$(grep '^build-image: .*KiB' "$TEST_DIR/image.log")"
loaded=$(podman load -q -i "$TEST_DIR/image/multinic-$PACKAGE_VERSION.oci.tar" 2>&1)
image=$(sed -n 's/^Loaded image[^:]*: //p' <<<"$loaded" | head -n 1)
ok "podman loads it" test -n "$image" || abort_test "$loaded"
labels=$(podman image inspect -f '{{json .Config.Labels}}' "$image")
is "$(jq -r '."org.opencontainers.image.version"' <<<"$labels")" \
    "$PACKAGE_VERSION" "its version label is the one in VERSION"
is "$(jq -r '."org.opencontainers.image.licenses"' <<<"$labels")" ISC \
    "its licenses label says ISC"
is "$(podman image inspect -f '{{json .Config.Entrypoint}}' "$image")" \
    '["/usr/sbin/multinicd","-d"]' "its entrypoint is multinicd -d"

mkdir -p "$TEST_DIR/secret"
(umask 077 && printf '%s\n' "$MARIADB_PASSWORD" >"$TEST_DIR/secret/db-password")
dbdir=$(dirname "$MARIADB_SOCKET")
# podman's own rlimits need CAP_SYS_RESOURCE, which this sandbox lacks.
if ! podman --runtime runc run -d --name "$container" \
    --network "ns:/run/netns/$NODE_NS" \
    --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
    --cap-drop=ALL \
    --cap-add=NET_ADMIN,SETUID,SETGID,SETPCAP,CHOWN,KILL \
    -v "$dbdir:$dbdir" -v "$NODE_ROOT:/host" \
    -v "$TEST_DIR/secret:/run/secrets/multinic:ro" \
    -e DB_SOCKET="$MARIADB_SOCKET" -e DB_USER="$MARIADB_USER" \
    -e DB_PASSWORD_FILE=/run/secrets/multinic/db-password \
    -e NODE_NAME="$NODE_NAME" -e OS_TYPE=netplan -e CONFIG_ROOT=/host \
    -e HEALTH_ADDR=127.0.0.1 -e HEALTH_PORT=8080 -e POLL_INTERVAL=1s \
    "$image" >"$TEST_DIR/run.log" 2>&1; then
	diag "$(cat "$TEST_DIR/run.log")"
	abort_test "podman runs the image"
fi
pass "podman --runtime runc runs the image with 6 capabilities"

if ! ok "the row says netplan_success=1" wait_until 600 applied_rows 1; then
	diag "$(podman logs "$container" 2>&1 | tail -n 30)"
fi
is "$(link_of_mac fa:16:3e:83:00:01)" multinic0 "the NIC is named multinic0"
is "$(link_state multinic0)" "multinic0 1400 up 10.83.0.5/24 " \
    "and is up with MTU 1400 and 10.83.0.5/24"
ok "its netplan file is in the host directory at CONFIG_ROOT" \
    test -f "$NODE_ROOT/etc/netplan/90-multinic0.yaml"
ok "/healthz answers 200" ip netns exec "$NODE_NS" \
    curl -sf --max-time 5 -o /dev/null "$NODE_HTTP/healthz"
ok "/readyz answers 200" ip netns exec "$NODE_NS" \
    curl -sf --max-time 5 -o /dev/null "$NODE_HTTP/readyz"

status=$(podman exec "$container" multinicctl -j status 2>&1)
has_landlock() {
	jq -e .landlock <<<"$status" >/dev/null
}
ok "multinicctl status -j answers inside the container" has_landlock ||
    diag "$status"
applier=$(jq -r .landlock.applier <<<"$status")
case $applier in
enforced) pass "the runtime's seccomp profile allows Landlock: enforced" ;;
unavailable:*)
	pass "podman's seccomp profile refuses Landlock: LANDLOCK=best-effort runs without it ($applier)"
	like "$(podman logs "$container" 2>&1)" 'Landlock unavailable' \
	    "and a warning says so"
	;;
*) fail "status -j names the applier's Landlock state" && diag "$status" ;;
esac
is "$(podman top "$container" user args | awk '/multinicd: fetcher/ { print $1 }')" \
    _multinic "the fetcher runs as _multinic"

podman stop -t 30 "$container" >"$TEST_DIR/stop.log" 2>&1
ok "podman stop exits 0" test $? -eq 0 || diag "$(cat "$TEST_DIR/stop.log")"
is "$(podman inspect -f '{{.State.ExitCode}}' "$container")" 0 \
    "and multinicd exited 0"

done_testing
