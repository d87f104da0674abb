import type { PolicyRule } from '../types';

export const observabilityRules: PolicyRule[] = [];
