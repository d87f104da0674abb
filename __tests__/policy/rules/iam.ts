import type { PolicyRule } from '../types';

export const iamRules: PolicyRule[] = [];
