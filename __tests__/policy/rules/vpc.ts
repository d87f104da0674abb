import type { PolicyRule } from '../types';

export const vpcRules: PolicyRule[] = [];
