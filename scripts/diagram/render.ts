/**
 * Renders Mermaid source to SVG and PNG in a local headless Chromium (Debian's `chromium` driven by
 * playwright-core), with Mermaid loaded from node_modules into a blank page: no CDN, no network.
 * Where no browser or no playwright-core exists the step is skipped with a reason, never an error.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './synth-output';

/** Flags that keep Chromium off the network (this machine has none) and quiet as root. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const BROWSER_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

export interface RenderTargets {
  /** SVG file to write. Default: none. */
  readonly svg?: string;
  /** PNG file to write (1× scale). Default: none. */
  readonly png?: string;
  /**
   * Browser binary; when given it must exist. Default: `$CHROMIUM_PATH`, else the first of the
   * usual Debian/Chrome paths.
   */
  readonly executablePath?: string;
}

export type RenderResult =
  | { readonly rendered: true; readonly files: string[] }
  | { readonly rendered: false; readonly reason: string };

/** The browser to use: an explicit path only if it exists, else the first usual one found. */
export function findBrowser(explicit?: string): string | undefined {
  if (explicit !== undefined) return existsSync(explicit) ? explicit : undefined;
  const candidates = [process.env.CHROMIUM_PATH, ...BROWSER_CANDIDATES];
  return candidates.find((candidate): candidate is string =>
    Boolean(candidate && existsSync(candidate)),
  );
}

interface MermaidGlobal {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
}

export async function renderMermaid(source: string, targets: RenderTargets): Promise<RenderResult> {
  const executablePath = findBrowser(targets.executablePath);
  if (!executablePath) {
    return {
      rendered: false,
      reason: 'no Chromium found (install Debian chromium or set CHROMIUM_PATH)',
    };
  }
  const mermaidScript = path.join(REPO_ROOT, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
  if (!existsSync(mermaidScript)) return { rendered: false, reason: `no ${mermaidScript}` };
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return { rendered: false, reason: 'playwright-core is not installed' };
  }

  const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage({
      deviceScaleFactor: 1,
      viewport: { width: 1600, height: 1000 },
    });
    await page.setContent(
      '<!doctype html><html><body style="margin:0;background:#fff">' +
        '<div id="diagram" style="display:inline-block;padding:16px"></div></body></html>',
    );
    await page.addScriptTag({ path: mermaidScript });
    const svg = await page.evaluate(async (text: string) => {
      const mermaid = (globalThis as unknown as { mermaid: MermaidGlobal }).mermaid;
      mermaid.initialize({
        startOnLoad: false,
        theme: 'default',
        securityLevel: 'strict',
        // Natural size (no max-width: 100%), and lines long enough that labels do not wrap.
        flowchart: {
          htmlLabels: true,
          useMaxWidth: false,
          wrappingWidth: 480,
          curve: 'basis',
          nodeSpacing: 30,
          rankSpacing: 60,
        },
      });
      const { svg: rendered } = await mermaid.render('architecture', text);
      const container = document.getElementById('diagram');
      if (container) container.innerHTML = rendered;
      return rendered;
    }, source);
    const files: string[] = [];
    if (targets.svg) {
      writeFileSync(targets.svg, `${svg}\n`);
      files.push(targets.svg);
    }
    if (targets.png) {
      await page.locator('#diagram').screenshot({ path: targets.png });
      files.push(targets.png);
    }
    return { rendered: true, files };
  } finally {
    await browser.close();
  }
}
