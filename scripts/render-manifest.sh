#!/bin/sh
# SPDX-License-Identifier: ISC
# render-manifest.sh HELM: prints deploy/kubernetes/multinic.yaml, the chart
# rendered with its default values, for kubectl users ("make manifest";
# tests/integration/84-helm.t fails when the committed file differs).
set -eu
[ $# -eq 1 ] || { echo "usage: render-manifest.sh helm" >&2; exit 2; }
cat <<'HEADER'
# multinic for kubectl: deploy/helm/multinic rendered with its default values
# (release "multinic", namespace kube-system) by "make manifest". Do not edit:
# change the chart and run "make manifest". Set DB_HOST and the rest in the
# ConfigMap before applying; a DB password needs a Secret and its mount, so
# render the chart with database.existingSecret set instead
# (deploy/helm/multinic/README.md).
HEADER
"$1" template multinic "$(dirname "$0")/../deploy/helm/multinic" \
    --namespace kube-system
