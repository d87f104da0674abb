/**
 * Where the ALB meets the NGINX ingress controller. Both sides (the ALB target group in
 * `<env>-infra` and the controller's Helm values in `<env>-workloads`) derive their port and
 * health path from this one function, so they cannot drift apart.
 */
export interface IngressEndpoint {
  /** NodePort of the controller's HTTP service; the ALB target group forwards here. */
  readonly nodePort: number;
  /** Path the controller answers 200 on when healthy (F5 NGINX `healthStatusURI`). */
  readonly healthPath: string;
}

/** F5 NGINX Ingress Controller's default health-status URI. */
export const NGINX_HEALTH_PATH = '/nginx-health';

export function ingressEndpoint(nodePort: number): IngressEndpoint {
  if (!Number.isInteger(nodePort) || nodePort < 30000 || nodePort > 32767) {
    throw new Error(
      `ingress nodePort ${nodePort} is outside Kubernetes' NodePort range 30000-32767`,
    );
  }
  return { nodePort, healthPath: NGINX_HEALTH_PATH };
}
