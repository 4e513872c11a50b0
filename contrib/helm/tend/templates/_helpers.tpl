{{/* Names and labels shared by every template. */}}

{{- define "tend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's name, with the chart's unless it holds it already. */}}
{{- define "tend.fullname" -}}
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

{{/* What the pods are: the mode's role, refused when the mode is unknown. */}}
{{- define "tend.component" -}}
{{- if eq .Values.mode "daemonset" }}node-agent
{{- else if eq .Values.mode "deployment" }}entrypoint
{{- else }}
{{- fail (printf "mode must be daemonset or deployment, not %q" .Values.mode) }}
{{- end }}
{{- end }}

{{/*
The selector. app.kubernetes.io/name is also the monitors' jobLabel: its
value, "tend", is the job the mixin's rules expect.
*/}}
{{- define "tend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ include "tend.component" . }}
{{- end }}

{{- define "tend.labels" -}}
{{ include "tend.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "tend.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}

{{/*
tend.yaml: the mode's config with .Values.config merged over it; state_dir,
web and metrics are the chart's, so that the probes, the Service and the
monitors find tend where they look.
*/}}
{{- define "tend.config" -}}
{{- $mode := ternary .Values.daemonset.config .Values.deployment.config
    (eq .Values.mode "daemonset") }}
{{- $cfg := mergeOverwrite (deepCopy $mode) (deepCopy .Values.config) }}
{{- $svc := include "tend.fullname" . }}
{{- $hosts := list $svc (printf "%s.%s" $svc .Release.Namespace)
    (printf "%s.%s.svc" $svc .Release.Namespace)
    (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) }}
{{- $web := dict "listen" (printf "0.0.0.0:%d" (int .Values.web.port))
    "allowed_hosts" (concat $hosts .Values.web.allowedHosts) }}
{{- $_ := set $cfg "web" $web }}
{{- $_ = set $cfg "state_dir" "/var/lib/tend" }}
{{- if .Values.metrics.labels }}
{{- $_ = set $cfg "metrics" (dict "labels" .Values.metrics.labels) }}
{{- else }}
{{- $_ = unset $cfg "metrics" }}
{{- end }}
{{- toYaml $cfg }}
{{- end }}

{{/*
Relabelings both monitors share: the instance is the node (daemonset) or the
pod (deployment), and the operator's service, pod, container and endpoint
labels go, so tend's own "service" label stays and a host's series do not
split at every new pod.
*/}}
{{- define "tend.relabelings" -}}
- sourceLabels:
    - {{ ternary "__meta_kubernetes_pod_node_name" "__meta_kubernetes_pod_name"
           (eq .Values.mode "daemonset") }}
  targetLabel: instance
- action: labeldrop
  regex: service|pod|container|endpoint
{{- end }}
