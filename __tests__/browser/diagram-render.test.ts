import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '../../scripts/diagram';
import { toMermaid } from '../../scripts/diagram/mermaid';
import { renderMermaid } from '../../scripts/diagram/render';
import { synthesizeInProcess } from '../../scripts/diagram/synth-output';
import { chromiumForTests, launchChromium } from '../helpers/browser';

/**
 * The architecture diagram rendered the way `npm run diagram` renders it (Mermaid from
 * node_modules in a local Chromium): the SVG holds the real nodes and the PNG is a picture, not a
 * blank or an error page.
 */
const executable = chromiumForTests('diagram render check');

describe.skipIf(!executable)('architecture diagram in Chromium', () => {
  it('renders the prod diagram to SVG and a non-blank PNG', async () => {
    const { model } = generate(await synthesizeInProcess('prod'));
    const source = toMermaid(model);
    const dir = mkdtempSync(path.join(tmpdir(), 'diagram-browser-'));
    const svgFile = path.join(dir, 'architecture.svg');
    const pngFile = path.join(dir, 'architecture.png');

    const result = await renderMermaid(source, {
      svg: svgFile,
      png: pngFile,
      executablePath: executable,
    });
    expect(result).toEqual({ rendered: true, files: [svgFile, pngFile] });

    const svg = readFileSync(svgFile, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).not.toMatch(/Syntax error|Parse error/i);
    expect(model.stacks.length).toBeGreaterThanOrEqual(3);
    for (const stack of model.stacks) expect(svg).toContain(stack.name);

    const png = readFileSync(pngFile);
    // PNG signature, then IHDR: width and height at bytes 16-23.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(400);
    expect(png.readUInt32BE(20)).toBeGreaterThan(300);

    // Decode the PNG in the browser and count pixels that are not background white.
    const browser = await launchChromium(executable!);
    try {
      const page = await browser.newPage();
      const inked = await page.evaluate(
        async (dataUrl: string) => {
          const image = new Image();
          image.src = dataUrl;
          await image.decode();
          const canvas = document.createElement('canvas');
          canvas.width = image.width;
          canvas.height = image.height;
          const context = canvas.getContext('2d')!;
          context.drawImage(image, 0, 0);
          const { data } = context.getImageData(0, 0, image.width, image.height);
          let count = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) count++;
          }
          return count / (data.length / 4);
        },
        `data:image/png;base64,${png.toString('base64')}`,
      );
      // Boxes, lines and text: a few percent of the picture at least, far from all of it.
      expect(inked).toBeGreaterThan(0.01);
      expect(inked).toBeLessThan(0.6);
    } finally {
      await browser.close();
    }
  });
});
