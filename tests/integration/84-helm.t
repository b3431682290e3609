#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The Helm chart (deploy/helm/multinic) and the manifest rendered from it:
# helm lint --strict, helm template with the default values and with a
# values file setting every value, each object validated against the
# Kubernetes OpenAPI schema of its kind (kubernetes-models), the DaemonSet's
# privileges, mounts and environment checked against the systemd unit, the
# applier's sandbox and multinicd -n, and deploy/kubernetes/multinic.yaml
# up to date. helm and the models come from scripts/install-deps.sh check
# (npm, pinned, into build/node). Needs no root.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

top=$(cd "$here/../.." && pwd)
build=${MULTINIC_BUILD:-$top/build}
chart=$top/deploy/helm/multinic
modules=$build/node/node_modules
helm=$build/node/bin/helm
[ -x "$helm" ] || helm=$(command -v helm) ||
    skip_all "no helm (scripts/install-deps.sh check installs it)"
command -v node >/dev/null || skip_all "no node"
command -v jq >/dev/null || skip_all "no jq"
[ -d "$modules/kubernetes-models" ] ||
    skip_all "no kubernetes-models (scripts/install-deps.sh check installs it)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# render NAME [HELM ARGS...]: helm template into $work/NAME.yaml, validated
# and converted into $work/NAME.json.
render() {
	local name=$1
	shift
	"$helm" template multinic "$chart" --namespace kube-system "$@" \
	    >"$work/$name.yaml" 2>"$work/$name.err" &&
	    node "$top/tests/lib/k8s-validate.cjs" "$modules" \
	    "$work/$name.yaml" >"$work/$name.json" 2>>"$work/$name.err"
}

# yaml_json FILE: a YAML file as JSON.
yaml_json() {
	node -e 'const Y = require(require("module").createRequire(
	    process.argv[1] + "/x.js").resolve("yaml"));
	    process.stdout.write(JSON.stringify(Y.parse(
	    require("fs").readFileSync(process.argv[2], "utf8"))));' \
	    "$modules" "$1"
}

# fails COMMAND...: the command fails (its output is dropped).
fails() {
	! "$@" >/dev/null 2>&1
}

# obj NAME KIND: the object of that kind in a rendering.
obj() {
	jq --arg k "$2" '.[] | select(.kind == $k)' "$work/$1.json"
}

version=$(cat "$top/VERSION")
chart_json=$(yaml_json "$chart/Chart.yaml")
is "$(jq -r .version <<<"$chart_json")" "$version" "Chart.yaml version is VERSION"
is "$(jq -r .appVersion <<<"$chart_json")" "$version" "Chart.yaml appVersion is VERSION"
is "$(jq -r .apiVersion <<<"$chart_json")" v2 "Chart.yaml apiVersion v2"

values_all=$top/tests/k8s/values-all.yaml
out=$("$helm" lint --strict "$chart" 2>&1)
ok "helm lint --strict (defaults)" test $? -eq 0 || diag "$out"
out=$("$helm" lint --strict "$chart" -f "$values_all" 2>&1)
ok "helm lint --strict (every value set)" test $? -eq 0 || diag "$out"

# Every value the schema allows, as a dotted path (config.DB_HOST).
schema_paths=$(jq -r 'def walk_p(p): if .properties then
    (.properties | to_entries[] | .key as $k | .value | walk_p(p + [$k]))
    else p | join(".") end; walk_p([])' "$chart/values.schema.json" | sort)
all_json=$(yaml_json "$values_all")
missing=""
documented=""
for p in $schema_paths; do
	jq -e --arg p "$p" 'getpath($p | split(".")) != null' \
	    <<<"$all_json" >/dev/null || missing="$missing $p"
	grep -qF "\`$p\`" "$chart/README.md" || documented="$documented $p"
done
is "$missing" "" "tests/k8s/values-all.yaml sets every value of the schema"
is "$documented" "" "the chart's README lists every value"

ok "helm template (defaults) renders valid objects" render defaults ||
    diag "$(cat "$work/defaults.err")"
ok "helm template (every value) renders valid objects" render all \
    -f "$values_all" || diag "$(cat "$work/all.err")"
is "$(jq -r '[.[].kind] | sort | join(" ")' "$work/defaults.json")" \
    "ConfigMap DaemonSet ServiceAccount" "defaults: ConfigMap, DaemonSet, ServiceAccount"
is "$(jq -r '[.[].kind] | sort | join(" ")' "$work/all.json")" \
    "ConfigMap DaemonSet PodMonitor Service ServiceAccount" \
    "every value: and the Service, the PodMonitor (existingSecret: no Secret)"
ok "password only: a Secret" render secret --set database.password=s3cret
is "$(obj secret Secret | jq -r '.data.password | @base64d')" s3cret \
    "the Secret holds the password"

# The validator and the schema refuse what they should.
sed 's/containerPort: 8080/containerPort: "http"/' "$work/defaults.yaml" \
    >"$work/broken.yaml"
ok "kubernetes-models refuses a bad DaemonSet" fails node \
    "$top/tests/lib/k8s-validate.cjs" "$modules" "$work/broken.yaml"
ok "the schema refuses OS_TYPE=auto (mounts are fixed before the pod starts)" \
    fails "$helm" template x "$chart" --set config.OS_TYPE=auto
ok "the schema refuses an unknown configuration key" \
    fails "$helm" template x "$chart" --set config.DB_PASWORD=x

# The pod: least privilege.
ds=$(obj defaults DaemonSet)
pod=$(jq '.spec.template.spec' <<<"$ds")
ctr=$(jq '.containers[0]' <<<"$pod")
is "$(jq -c '[.hostNetwork, .hostPID // false, .hostIPC // false,
    .automountServiceAccountToken, .priorityClassName, .tolerations]' <<<"$pod")" \
    '[true,false,false,false,"system-node-critical",[{"operator":"Exists"}]]' \
    "hostNetwork, no hostPID/IPC, no token, system-node-critical, every taint tolerated"
is "$(jq -r '.securityContext.seccompProfile.type' <<<"$pod")" RuntimeDefault \
    "seccompProfile RuntimeDefault"
is "$(jq -c '.securityContext | [.privileged, .allowPrivilegeEscalation,
    .readOnlyRootFilesystem, .capabilities.drop]' <<<"$ctr")" \
    '[false,false,true,["ALL"]]' "not privileged, no escalation, read-only root, drop ALL"
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$top/etc/multinicd.service" |
    tr ' ' '\n' | sed 's/^CAP_//' | sort | tr '\n' ' ')
is "$(jq -r '.securityContext.capabilities.add[]' <<<"$ctr" | sort | tr '\n' ' ')" \
    "$unit_caps" "capabilities: the systemd unit's bounding set, nothing more"
is "$(obj all DaemonSet | jq -r '.spec.template.spec.containers[0]
    .securityContext.capabilities.add[]' | sort | tr '\n' ' ')" \
    "$( { tr ' ' '\n' <<<"$unit_caps"; echo NET_BIND_SERVICE; } | grep . |
    sort | tr '\n' ' ')" \
    "HEALTH_PORT 900: and NET_BIND_SERVICE"
is "$(jq -c '.spec.updateStrategy' <<<"$ds")" \
    '{"rollingUpdate":{"maxUnavailable":1},"type":"RollingUpdate"}' \
    "RollingUpdate, maxUnavailable 1"
is "$(jq -c '[.command, .image, .livenessProbe.httpGet.path,
    .readinessProbe.httpGet.path, .ports[0].containerPort]' <<<"$ctr")" \
    "[[\"/usr/sbin/multinicd\",\"-d\"],\"multinic:$version\",\"/healthz\",\"/readyz\",8080]" \
    "multinicd -d from the chart's version of the image; /healthz, /readyz on HEALTH_PORT"
is "$(jq -r '.env[] | select(.name == "NODE_NAME") | .valueFrom.fieldRef.fieldPath' \
    <<<"$ctr")" spec.nodeName "NODE_NAME from spec.nodeName"

# The host paths: for each OS_TYPE exactly the directories its renderer
# writes (applier/sandbox.c), the state and the run directory, each mounted
# where the ConfigMap tells multinicd to look.
sandbox_dirs() {
	awk -v start="static const char \\*const $1_dirs\\[\\] = {" \
	    '$0 ~ start { on = 1 } on { print } on && /};/ { exit }' \
	    "$top/applier/sandbox.c" | grep -o '"[^"]*"' | tr -d '"'
}
for os in netplan ifcfg wicked networkmanager; do
	render "os-$os" --set config.OS_TYPE="$os" ||
	    diag "$(cat "$work/os-$os.err")"
	want=$( { sandbox_dirs "$os" | sed 's|^|/|'; echo /var/lib/multinic;
	    echo /run/multinicd; } | sort | tr '\n' ' ')
	got=$(obj "os-$os" DaemonSet | jq -r '.spec.template.spec.volumes[] |
	    .hostPath.path // empty' | sort | tr '\n' ' ')
	is "$got" "$want" "OS_TYPE=$os: host paths are its renderer's directories, state and run"
done
mounts() {
	obj "$1" DaemonSet | jq -r '.spec.template.spec as $s |
	    $s.containers[0].volumeMounts[] | .name as $n | .mountPath + " " +
	    ($s.volumes[] | select(.name == $n) |
	    .hostPath.path // .secret.secretName // .configMap.name)' | sort
}
for r in defaults all; do
	cm=$(obj "$r" ConfigMap | jq '.data')
	root=$(jq -r .CONFIG_ROOT <<<"$cm")
	bad=$(mounts "$r" | while read -r at from; do
		case $at in
		"$root"/*) [ "$at" = "$root$from" ] || echo "$at<-$from" ;;
		"$(jq -r .STATE_DIR <<<"$cm")") [ "$from" = /var/lib/multinic ] ||
		    echo "$at<-$from" ;;
		"$(dirname "$(jq -r .CONTROL_SOCKET <<<"$cm")")")
			[ "$from" = /run/multinicd ] || echo "$at<-$from" ;;
		/etc/multinic/secret | /etc/multinic/tls) ;;
		*) echo "$at<-$from" ;;
		esac
	done)
	is "$bad" "" "$r: every mount is where CONFIG_ROOT, STATE_DIR, CONTROL_SOCKET say"
done
ctr_all=$(obj all DaemonSet | jq '.spec.template.spec.containers[0]')
is "$(jq -r '.env[] | select(.name == "DB_PASSWORD_FILE") | .value' <<<"$ctr_all")" \
    /etc/multinic/secret/db-password "DB_PASSWORD_FILE is the existingSecret's key, mounted"
is "$(obj all ConfigMap | jq -r .data.DB_TLS_CA)" /etc/multinic/tls/root.pem \
    "DB_TLS_CA is the CA ConfigMap's key, mounted"

# multinicd -n with the pod's environment: the ConfigMap and the env list,
# NODE_NAME as the kubelet would set it and the mounted files made here.
check_env() {
	local r=$1 out env
	printf 's3cret\n' >"$work/password"
	printf -- '-----BEGIN CERTIFICATE-----\n' >"$work/ca.pem"
	: >"$work/empty.conf"
	chmod 600 "$work/empty.conf"
	mapfile -t env < <(obj "$r" ConfigMap | jq -r '.data |
	    to_entries[] | "\(.key)=\(.value)"' |
	    sed "s|^DB_TLS_CA=.*|DB_TLS_CA=$work/ca.pem|"
	    echo NODE_NAME=node-1
	    obj "$r" DaemonSet | jq -r '.spec.template.spec.containers[0].env[] |
	    select(.value) | "\(.name)=\(.value)"' |
	    sed "s|^DB_PASSWORD_FILE=.*|DB_PASSWORD_FILE=$work/password|")
	out=$(env -i PATH="$PATH" "${env[@]}" \
	    "$build/multinicd" -n -v -f "$work/empty.conf" 2>&1)
	ok "$r: multinicd -n accepts the pod's environment" test $? -eq 0 ||
	    diag "$out"
	unknown=$( { obj "$r" ConfigMap | jq -r '.data | keys[]';
	    obj "$r" DaemonSet | jq -r '.spec.template.spec.containers[0].env[].name'; } |
	    while read -r key; do
		grep -q "^$key=.*# environment" <<<"$out" || echo "$key"
	    done)
	is "$unknown" "" "$r: every variable is a key multinicd reads from the environment"
}
if [ -x "$build/multinicd" ]; then
	check_env defaults
	check_env all
else
	skip "multinicd -n with the pod's environment" "not built"
fi

expected=$(sh "$top/scripts/render-manifest.sh" "$helm")
ok "deploy/kubernetes/multinic.yaml is up to date (make manifest)" \
    test "$expected" = "$(cat "$top/deploy/kubernetes/multinic.yaml")"

done_testing
