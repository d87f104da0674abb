import type { Browser } from 'playwright-core';
import { CHROMIUM_FLAGS, findBrowser } from '../../scripts/diagram/render';

/**
 * The local Chromium for real-browser tests, or undefined when there is none. `.ci/run` installs
 * Debian's `chromium`, so under `CI=true` a missing browser is a failure, never a silent skip; on
 * a laptop without one the test file says once what is missing and skips.
 */
export function chromiumForTests(suite: string): string | undefined {
  const executable = findBrowser();
  if (executable) return executable;
  const message = `${suite}: no Chromium (install Debian's chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI must run the browser checks`);
  console.warn(`skipped: ${message}`);
  return undefined;
}

/** Launches headless Chromium with the flags that keep it off the network. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}
