import type { PolicyRule } from '../types';

export const securityGroupsRules: PolicyRule[] = [];
