import type { PolicyRule } from '../types';

export const eksRules: PolicyRule[] = [];
