import type { PolicyWaiver } from './types';

/**
 * Accepted exceptions, each with its reason. Only non-prod environments may be waived; the policy
 * suite fails if a prod waiver appears here or if a waiver no longer matches any failure.
 */
export const waivers: readonly PolicyWaiver[] = [];
