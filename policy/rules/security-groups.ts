import { asList, notApplicable } from '../engine';
import type { PolicyRule, ResourceRef, StackContext } from '../types';

const WORLD_IPV4 = '0.0.0.0/0';
const WORLD_IPV6 = '::/0';
/** The only ports the internet may reach, and only on a load balancer's security group. */
export const PUBLIC_PORTS = [80, 443];
const LOAD_BALANCERS = ['aws_lb', 'aws_alb'];

/** `aws_security_group.x` when the value is `${aws_security_group.x.id}`, else undefined. */
function securityGroupAddress(value: unknown): string | undefined {
  const match = /^\$\{(aws_security_group\.[^.}]+)\.id\}$/.exec(String(value ?? ''));
  return match?.[1];
}

function isLoadBalancerGroup(address: string | undefined, stack: StackContext): boolean {
  if (!address) return false;
  return LOAD_BALANCERS.some((type) =>
    stack
      .referencing(type, address)
      .some((lb) => JSON.stringify(lb.config.security_groups ?? []).includes(`\${${address}.`)),
  );
}

interface IngressView {
  cidrs: string[];
  fromPort: unknown;
  toPort: unknown;
  protocol: unknown;
}

/** Checks one ingress permission; `groupAddress` is the security group it belongs to. */
function checkIngress(
  rule: IngressView,
  groupAddress: string | undefined,
  stack: StackContext,
): string | undefined {
  const world = rule.cidrs.filter((cidr) => cidr === WORLD_IPV4 || cidr === WORLD_IPV6);
  if (world.length === 0) return undefined;
  const from = Number(rule.fromPort);
  const singlePublicPort =
    String(rule.protocol) === 'tcp' && from === Number(rule.toPort) && PUBLIC_PORTS.includes(from);
  if (!singlePublicPort) {
    return `ingress from ${world.join(', ')} on ${String(rule.protocol)} ${String(rule.fromPort)}-${String(rule.toPort)} (only tcp 80/443 may be public)`;
  }
  return isLoadBalancerGroup(groupAddress, stack)
    ? undefined
    : `ingress from ${world.join(', ')} on port ${from} to a security group no load balancer uses`;
}

function strings(...values: unknown[]): string[] {
  return values.flatMap((value) =>
    Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)],
  );
}

function missingDescription(resource: ResourceRef): string | undefined {
  const description = resource.config.description;
  return typeof description === 'string' && description.trim() !== ''
    ? undefined
    : 'no description';
}

export const securityGroupsRules: PolicyRule[] = [
  {
    id: 'HP_SG_1',
    title: 'No ingress from 0.0.0.0/0 or ::/0 except tcp 80/443 on a load balancer security group',
    resourceTypes: [
      'aws_vpc_security_group_ingress_rule',
      'aws_security_group_rule',
      'aws_security_group',
    ],
    check: (resource, stack) => {
      const config = resource.config;
      switch (resource.type) {
        case 'aws_vpc_security_group_ingress_rule':
          return checkIngress(
            {
              cidrs: strings(config.cidr_ipv4, config.cidr_ipv6),
              fromPort: config.from_port,
              toPort: config.to_port,
              protocol: config.ip_protocol,
            },
            securityGroupAddress(config.security_group_id),
            stack,
          );
        case 'aws_security_group_rule':
          if (config.type !== 'ingress') return notApplicable(`${String(config.type)} rule`);
          return checkIngress(
            {
              cidrs: strings(config.cidr_blocks, config.ipv6_cidr_blocks),
              fromPort: config.from_port,
              toPort: config.to_port,
              protocol: config.protocol,
            },
            securityGroupAddress(config.security_group_id),
            stack,
          );
        default: {
          const failures = asList(config.ingress)
            .map((block) =>
              checkIngress(
                {
                  cidrs: strings(block.cidr_blocks, block.ipv6_cidr_blocks),
                  fromPort: block.from_port,
                  toPort: block.to_port,
                  protocol: block.protocol,
                },
                resource.address,
                stack,
              ),
            )
            .filter((failure): failure is string => failure !== undefined);
          return failures.length === 0 ? undefined : failures.join('; ');
        }
      }
    },
  },
  {
    id: 'CKV_AWS_23',
    title: 'Every security group and security group rule has a description',
    resourceTypes: [
      'aws_security_group',
      'aws_security_group_rule',
      'aws_vpc_security_group_ingress_rule',
      'aws_vpc_security_group_egress_rule',
    ],
    check: (resource) => {
      const own = missingDescription(resource);
      if (own) return own;
      if (resource.type !== 'aws_security_group') return undefined;
      const blocks = [...asList(resource.config.ingress), ...asList(resource.config.egress)];
      const missing = blocks.filter(
        (block) => typeof block.description !== 'string' || block.description.trim() === '',
      );
      return missing.length === 0
        ? undefined
        : `${missing.length} inline rule(s) without description`;
    },
  },
];
