// Types of scripts/synth-app.cjs for the TypeScript that imports it (its tests).

export interface EnsureBundleOptions {
  /** Default: .gen/synth/ of the repository. */
  readonly cacheDir?: string;
  /** Default: main.ts of the repository. */
  readonly entry?: string;
}

/** The bundle's path, and why it was rebuilt (undefined when the cached one was fresh). */
export function ensureBundle(
  options?: EnsureBundleOptions,
): Promise<{ bundle: string; rebuilt: string | undefined }>;

/** Why the cached bundle cannot be used, or undefined when it is fresh. */
export function staleReason(cacheDir: string, entry: string): string | undefined;

/** Runs a CommonJS bundle in this process with a V8 code cache next to it. */
export function runBundle(bundle: string): void;

export const defaultCacheDir: string;

/** Texts the bundle holds when each of its changes to cdktf applied. */
export const PATCH_MARKERS: readonly string[];
