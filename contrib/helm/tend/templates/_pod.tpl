{{/*
The pod both modes share: tend run as the container's command, the probes,
the config. The mode adds its own through the dict's keys.
*/}}
{{- define "tend.podTemplate" -}}
metadata:
  labels:
    {{- include "tend.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A changed config rolls the pods.
    checksum/config: {{ include "tend.config" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  # tend talks to no API server.
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $m := ternary .Values.daemonset .Values.deployment (eq .Values.mode "daemonset") }}
  {{- with $m.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if eq .Values.mode "daemonset" }}
  hostPID: {{ .Values.daemonset.hostPID }}
  {{- if .Values.daemonset.hostNetwork }}
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  {{- end }}
  {{- with .Values.daemonset.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- else }}
  terminationGracePeriodSeconds: {{ .Values.deployment.terminationGracePeriodSeconds }}
  {{- end }}
  containers:
    - name: tend
      image: {{ include "tend.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      # As a container's PID 1 (mode deployment: tend init) tend reaps, stops
      # its services in order on SIGTERM and exits as exit_when says.
      command: [/usr/bin/tend, {{ if eq .Values.mode "deployment" }}init{{ else }}run{{ end }}, -c, /etc/tend/tend.yaml]
      {{- with .Values.env }}
      env:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: tend
          containerPort: {{ .Values.web.port }}
          protocol: TCP
        {{- if eq .Values.mode "deployment" }}
        {{- range .Values.deployment.ports }}
        - name: {{ .name }}
          containerPort: {{ .containerPort }}
          protocol: {{ .protocol | default "TCP" }}
        {{- end }}
        {{- end }}
      livenessProbe:
        httpGet: { path: /healthz, port: tend }
        {{- toYaml .Values.livenessProbe | nindent 8 }}
      readinessProbe:
        httpGet: { path: /readyz, port: tend }
        {{- toYaml .Values.readinessProbe | nindent 8 }}
      resources:
        {{- toYaml $m.resources | nindent 8 }}
      securityContext:
        {{- if eq .Values.mode "daemonset" }}
        # Root, not the image's user tend, to read the host's files; no
        # capability, nothing gained.
        runAsUser: 0
        {{- end }}
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL] }
      volumeMounts:
        - { name: config, mountPath: /etc/tend, readOnly: true }
        {{- if eq .Values.mode "daemonset" }}
        - { name: state, mountPath: /var/lib/tend }
        {{- if .Values.daemonset.hostRoot }}
        - name: host
          mountPath: /host
          readOnly: true
          mountPropagation: HostToContainer
        {{- end }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "tend.fullname" . }}
    {{- if eq .Values.mode "daemonset" }}
    # Not an emptyDir: tend refuses a state dir anyone can write (an emptyDir
    # is mode 0777). The kubelet makes this one 0755, root's.
    - name: state
      hostPath:
        path: {{ .Values.daemonset.stateHostPath }}
        type: DirectoryOrCreate
    {{- if .Values.daemonset.hostRoot }}
    - name: host
      hostPath: { path: /, type: Directory }
    {{- end }}
    {{- end }}
{{- end }}
