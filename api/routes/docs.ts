/**
 * GET /openapi.json and a Swagger UI page at /docs, served from the swagger-ui-dist package so
 * the page works offline and loads nothing from a CDN.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Router from '@koa/router';
import type { AppState } from '../context';
import { openApiDocument } from '../openapi';
import { ProblemError } from '../problem';

/** The only files of swagger-ui-dist we serve (no directory traversal possible). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Hello birthday API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

function swaggerUiDirectory(): string {
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

export function registerDocsRoutes(router: Router<AppState>): void {
  const assetCache = new Map<string, Buffer>();

  router.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocument();
  });

  router.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  });

  router.get('/docs/:asset', async (ctx) => {
    const name = ctx.params.asset ?? '';
    ctx.set('Cache-Control', 'public, max-age=3600');
    if (name === 'swagger-initializer.js') {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = INITIALIZER;
      return;
    }
    const type = ASSETS[name];
    if (!type) throw new ProblemError(404, `No documentation asset named "${name}".`);
    let content = assetCache.get(name);
    if (!content) {
      content = await readFile(path.join(swaggerUiDirectory(), name));
      assetCache.set(name, content);
    }
    ctx.type = type;
    ctx.body = content;
  });
}
