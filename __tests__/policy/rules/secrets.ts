import type { PolicyRule } from '../types';

export const secretsRules: PolicyRule[] = [];
