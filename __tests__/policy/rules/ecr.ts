import type { PolicyRule } from '../types';

export const ecrRules: PolicyRule[] = [];
