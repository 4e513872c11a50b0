// The types the contrib tests turn into strict JSON schemas (every object
// closed: a field the type does not declare is an error, as it is to
// kubectl apply --validate=strict and to Grafana's dashboard schema).
// Kubernetes and the Prometheus Operator: kubernetes-models' interfaces,
// generated from the same OpenAPI documents as its validators.
export type { INamespace as Namespace } from "kubernetes-models/v1/Namespace";
export type { IConfigMap as ConfigMap } from "kubernetes-models/v1/ConfigMap";
export type { IService as Service } from "kubernetes-models/v1/Service";
export type { IDaemonSet as DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
export type { IDeployment as Deployment } from "kubernetes-models/apps/v1/Deployment";
export type { IServiceMonitor as ServiceMonitor }
	from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
export type { IPodMonitor as PodMonitor }
	from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";

// Grafana: @grafana/schema's types, generated from Grafana's CUE schemas: the
// dashboard, and the options of the panel plugins tend's dashboard uses.
export type { Dashboard } from "./node_modules/@grafana/schema/dist/types/raw/dashboard/x/types.gen";
import type * as Stat from "./node_modules/@grafana/schema/dist/types/raw/composable/stat/panelcfg/x/types.gen";
import type * as Timeseries from "./node_modules/@grafana/schema/dist/types/raw/composable/timeseries/panelcfg/x/types.gen";
import type * as Table from "./node_modules/@grafana/schema/dist/types/raw/composable/table/panelcfg/x/types.gen";
import type * as Statetimeline from "./node_modules/@grafana/schema/dist/types/raw/composable/statetimeline/panelcfg/x/types.gen";
import type * as Bargauge from "./node_modules/@grafana/schema/dist/types/raw/composable/bargauge/panelcfg/x/types.gen";
export type StatOptions = Stat.Options;
export type TimeseriesOptions = Timeseries.Options;
export type TimeseriesFieldConfig = Timeseries.FieldConfig;
export type TableOptions = Table.Options;
export type TableFieldConfig = Table.FieldConfig;
export type StatetimelineOptions = Statetimeline.Options;
export type StatetimelineFieldConfig = Statetimeline.FieldConfig;
export type BargaugeOptions = Bargauge.Options;
