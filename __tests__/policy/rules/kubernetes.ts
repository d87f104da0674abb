import type { PolicyRule } from '../types';

export const kubernetesRules: PolicyRule[] = [];
