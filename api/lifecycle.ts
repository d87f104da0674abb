/** Shutdown state shared by the readiness probe and the connection handling. */
export class Lifecycle {
  /** SIGTERM received: readiness answers 503 so the pod leaves the load balancer. */
  shuttingDown = false;
  /** Drain delay over: no new connections; responses ask clients to close theirs. */
  closing = false;
}
