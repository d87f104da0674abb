import type { PolicyRule } from '../types';

export const snsRules: PolicyRule[] = [];
