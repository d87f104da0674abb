import type { PolicyRule } from '../types';

export const kmsRules: PolicyRule[] = [];
