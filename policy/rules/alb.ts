import { asList, notApplicable } from '../engine';
import type { PolicyRule, ResourceRef, StackContext } from '../types';

const isProd = (stack: StackContext) => stack.environment === 'prod';
const LOAD_BALANCERS = ['aws_lb', 'aws_alb'];
const LISTENERS = ['aws_lb_listener', 'aws_alb_listener'];

/** TLS 1.2+ ELB policies (TLS 1.3 ones, and the TLS 1.2 / forward-secrecy 1.2 families). */
const TLS12_PLUS_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/;

const isApplication = (resource: ResourceRef) =>
  (resource.config.load_balancer_type ?? 'application') === 'application';

const notAnAlb = (resource: ResourceRef) =>
  notApplicable(`a ${String(resource.config.load_balancer_type)} load balancer, not an ALB`);

/** Listeners default to HTTP on ALBs when no protocol is given. */
const protocolOf = (listener: ResourceRef) => String(listener.config.protocol ?? 'HTTP');

function redirectsToHttps(listener: ResourceRef): boolean {
  const actions = asList(listener.config.default_action);
  return (
    actions.length > 0 &&
    actions.every(
      (action) =>
        action.type === 'redirect' &&
        asList(action.redirect).some((redirect) => redirect.protocol === 'HTTPS'),
    )
  );
}

function listenersOf(lb: ResourceRef, stack: StackContext): ResourceRef[] {
  return LISTENERS.flatMap((type) => stack.referencing(type, lb.address));
}

export const albRules: PolicyRule[] = [
  {
    id: 'CKV_AWS_2',
    title: 'Load balancer listener uses HTTPS, or only redirects HTTP to HTTPS',
    resourceTypes: LISTENERS,
    check: (listener) => {
      const protocol = protocolOf(listener);
      if (protocol === 'HTTPS' || protocol === 'TLS') return undefined;
      if (['TCP', 'UDP', 'TCP_UDP', 'GENEVE'].includes(protocol)) {
        return notApplicable(`${protocol} listener: not HTTP`);
      }
      return redirectsToHttps(listener)
        ? undefined
        : `${protocol} listener serves traffic instead of redirecting to HTTPS`;
    },
  },
  {
    id: 'CKV2_AWS_20',
    title: 'ALB redirects HTTP requests to HTTPS',
    resourceTypes: LOAD_BALANCERS,
    check: (lb, stack) => {
      if (!isApplication(lb)) return notAnAlb(lb);
      const plain = listenersOf(lb, stack).filter(
        (listener) => protocolOf(listener) === 'HTTP' && !redirectsToHttps(listener),
      );
      return plain.length === 0
        ? undefined
        : `HTTP listeners without an HTTPS redirect: ${plain.map((l) => l.address).join(', ')}`;
    },
  },
  {
    id: 'CKV_AWS_103',
    title: 'HTTPS listener uses a TLS 1.2+ security policy',
    resourceTypes: LISTENERS,
    check: (listener) => {
      const protocol = protocolOf(listener);
      if (protocol !== 'HTTPS' && protocol !== 'TLS') {
        return notApplicable(`${protocol} listener: no TLS policy to check`);
      }
      const policy = listener.config.ssl_policy;
      if (typeof policy !== 'string') return 'ssl_policy is not set (the default allows older TLS)';
      return TLS12_PLUS_POLICY.test(policy) ? undefined : `ssl_policy ${policy} allows TLS < 1.2`;
    },
  },
  {
    id: 'CKV_AWS_131',
    title: 'ALB drops invalid HTTP header fields',
    resourceTypes: LOAD_BALANCERS,
    check: (lb) => {
      if (!isApplication(lb)) return notAnAlb(lb);
      return lb.config.drop_invalid_header_fields === true
        ? undefined
        : 'drop_invalid_header_fields is not true';
    },
  },
  {
    id: 'CKV_AWS_91',
    title: 'Load balancer writes access logs',
    resourceTypes: LOAD_BALANCERS,
    check: (lb) => {
      const logs = asList(lb.config.access_logs)[0];
      if (!logs || logs.enabled === false || logs.enabled === undefined) {
        return 'access_logs are not enabled';
      }
      return logs.bucket ? undefined : 'access_logs has no bucket';
    },
  },
  {
    id: 'CKV_AWS_150',
    title: 'Load balancer has deletion protection (prod)',
    resourceTypes: LOAD_BALANCERS,
    appliesTo: isProd,
    check: (lb) =>
      lb.config.enable_deletion_protection === true
        ? undefined
        : 'enable_deletion_protection is not true',
  },
  {
    id: 'CKV2_AWS_28',
    title: 'Internet-facing ALB is protected by a WAF web ACL (prod)',
    resourceTypes: LOAD_BALANCERS,
    appliesTo: isProd,
    check: (lb, stack) => {
      if (!isApplication(lb)) return notAnAlb(lb);
      if (lb.config.internal === true) return notApplicable('internal load balancer');
      return stack.referencing('aws_wafv2_web_acl_association', lb.address).length > 0
        ? undefined
        : 'no aws_wafv2_web_acl_association references this load balancer';
    },
  },
];
