import type { PolicyRule } from '../types';

export const rdsRules: PolicyRule[] = [];
