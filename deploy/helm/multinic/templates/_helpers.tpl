{{/* SPDX-License-Identifier: ISC */}}

{{- define "multinic.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "multinic.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "multinic.selectorLabels" -}}
app.kubernetes.io/name: {{ include "multinic.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "multinic.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "multinic.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "multinic.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "multinic.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "multinic.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret holding the DB password, or "" for none. */}}
{{- define "multinic.secretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else if .Values.database.password }}
{{- include "multinic.fullname" . }}
{{- end }}
{{- end }}

{{- define "multinic.secretKey" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecretKey }}
{{- else }}
{{- print "password" }}
{{- end }}
{{- end }}

{{/*
The host directories each OS_TYPE's renderer writes below CONFIG_ROOT, as
applier/sandbox.c lists them (the only ones the applier's Landlock ruleset
lets it write): netplan needs no udev rule (set-name names the NIC at boot).
*/}}
{{- define "multinic.rendererDirs" -}}
{{- $dirs := dict "netplan" (list "etc/netplan") "ifcfg" (list "etc/sysconfig/network-scripts" "etc/udev/rules.d") "wicked" (list "etc/sysconfig/network" "etc/udev/rules.d") "networkmanager" (list "etc/NetworkManager/system-connections" "etc/udev/rules.d") }}
{{- get $dirs .Values.config.OS_TYPE | toJson }}
{{- end }}
