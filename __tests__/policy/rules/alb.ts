import type { PolicyRule } from '../types';

export const albRules: PolicyRule[] = [];
