import type { Browser, Page } from 'playwright-core';
import { useTestApi } from '../api/helpers';
import { chromiumForTests, launchChromium } from '../helpers/browser';

/**
 * /docs in a real browser: Swagger UI must load from our own assets (no CDN), list both
 * operations of /hello/{username}, and "Try it out" must round-trip a PUT then a GET against the
 * real server and database.
 */
const executable = chromiumForTests('/docs browser check');
const api = useTestApi();

describe.skipIf(!executable)('/docs in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium(executable!);
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens one operation block, presses "Try it out", fills the username and executes it. */
  async function tryOperation(method: 'put' | 'get', username: string, body?: string) {
    const operation = page.locator(`.opblock-${method}`).filter({ hasText: '/hello/{username}' });
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.locator('tr[data-param-name="username"] input').fill(username);
    if (body !== undefined) await operation.locator('textarea.body-param__text').fill(body);
    await operation.getByRole('button', { name: 'Execute' }).click();
    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor();
    return {
      status: (await status.first().innerText()).trim(),
      body: await operation.locator('.live-responses-table .microlight').first().innerText(),
    };
  }

  it('shows both /hello/{username} operations, served without a CDN', async () => {
    await page.goto(`${api.url}/docs`);
    await page.locator('.opblock-put').first().waitFor();
    for (const method of ['put', 'get']) {
      const paths = await page.locator(`.opblock-${method} .opblock-summary-path`).allInnerTexts();
      expect(paths.filter((text) => text.trim() === '/hello/{username}')).toHaveLength(1);
    }
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((url) => !url.startsWith(api.url))).toEqual([]);
  });

  it('"Try it out": PUT stores a birthday, then GET greets the user', async () => {
    const put = await tryOperation('put', 'browseruser', '{"dateOfBirth": "1990-01-01"}');
    expect(put.status).toBe('204');
    const row = await api.knex('users').where({ username: 'browseruser' }).first();
    expect(row).toBeDefined();

    const get = await tryOperation('get', 'browseruser');
    expect(get.status).toBe('200');
    expect(get.body).toMatch(
      /Hello, browseruser! (Your birthday is in \d+ day\(s\)|Happy birthday!)/,
    );
  });
});
