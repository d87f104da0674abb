import type { PolicyRule } from '../types';

export const cloudwatchRules: PolicyRule[] = [];
