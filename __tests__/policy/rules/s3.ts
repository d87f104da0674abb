import type { PolicyRule } from '../types';

export const s3Rules: PolicyRule[] = [];
