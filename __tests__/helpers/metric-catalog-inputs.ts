import type { MetricCatalogInputs } from '../../modules/observability/metric-catalog';

/** Metric catalog inputs of a prod-like environment, shared by the monitoring module tests. */
export const catalogInputs: MetricCatalogInputs = {
  albArnSuffix: 'app/hello-prod/0123456789abcdef',
  targetGroupArnSuffix: 'targetgroup/hello-prod-ingress/fedcba9876543210',
  clusterName: 'hello-prod',
  appNamespace: 'hello',
  appWorkloadName: 'hello-api',
};
