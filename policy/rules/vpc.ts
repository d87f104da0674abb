import type { PolicyRule } from '../types';

export const vpcRules: PolicyRule[] = [
  {
    id: 'CKV2_AWS_11',
    title: 'VPC has flow logs enabled',
    resourceTypes: ['aws_vpc'],
    check(vpc, stack) {
      return stack.referencing('aws_flow_log', vpc.address).length > 0
        ? undefined
        : 'no aws_flow_log for this VPC';
    },
  },
  {
    id: 'CKV2_AWS_12',
    title: 'Default security group of the VPC restricts all traffic',
    resourceTypes: ['aws_vpc'],
    check(vpc, stack) {
      const groups = stack.referencing('aws_default_security_group', vpc.address);
      if (groups.length === 0)
        return 'default security group is not managed (AWS default allows traffic)';
      const open = groups.some((group) =>
        ['ingress', 'egress'].some((key) => {
          const rules = group.config[key];
          return Array.isArray(rules) ? rules.length > 0 : rules !== undefined && rules !== null;
        }),
      );
      return open ? 'default security group has rules' : undefined;
    },
  },
  {
    id: 'CKV_AWS_130',
    title: 'Subnets do not assign public IPs on launch',
    resourceTypes: ['aws_subnet'],
    check(subnet) {
      return subnet.config.map_public_ip_on_launch === true
        ? 'map_public_ip_on_launch is true'
        : undefined;
    },
  },
];
