// The console in Chromium: sign in, see a batch's results with both charts, upload a dataset and
// see its errors, and an XSS dataset that executes nothing on the question page or the console.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Batch } from '../../src/db/batches.js';
import { ARTIFACTS, browserAvailable, launchChromium, serve, type Served } from '../helpers/browser.js';
import { makeAccount, PASSWORD } from '../helpers/console.js';
import { toJsonlText } from '../helpers/datasets.js';
import { createOpenBatch, prolificId } from '../helpers/rater.js';
import { simulateRaters } from '../helpers/simulate.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const XSS = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '[click me](javascript:window.__xss=\'link\')',
  '"><svg onload="window.__xss=\'svg\'">',
];

function xssDataset(): string {
  const topics = ['Web <script>window.__xss="topic"</script>', 'Plain topic'];
  return toJsonlText(
    Array.from({ length: 60 }, (_, i) => ({
      id: `xss-${i}`,
      prompt: `Question ${i} ${XSS[i % 4]}`,
      response_a: `Answer A ${XSS[(i + 1) % 4]}\n\n\`\`\`html\n<script>alert(1)</script>\n\`\`\``,
      response_b: `Answer B ${XSS[(i + 2) % 4]}`,
      winner: 'model_a',
      topic_category: topics[i % 2],
      preferences: [0, 1].map((k) => ({
        category: ['Clarity <b onmouseover=alert(1)>', 'Accuracy', 'Humor', 'Concise'][(i + k) % 4],
        granular: [`reason ${i}-${k} ${XSS[(i + k) % 4]}`],
      })),
    })),
  );
}

describe.runIf(browserAvailable)('console in Chromium', () => {
  let t: TestApp;
  let app: Served;
  let browser: Browser;
  let resultsBatch: Batch;
  let xssBatch: Batch;

  beforeAll(async () => {
    t = await createTestApp();
    await makeAccount(t.db.prisma, 'admin@example.org', 'admin');
    resultsBatch = await createOpenBatch(t.db, { raters: 30 }, 300);
    await simulateRaters(t.db, resultsBatch, 25, { generated: 0.74, category: 0.43, category_topic: 0.48, control: 0.13, control_topic: 0.15, other: 0.08 }, createRng(8));
    xssBatch = await createOpenBatch(t.db, { name: 'xss <script>window.__xss="batch"</script>', questions: 5, raters: 5, seed: 1, completionCode: 'XSS1', preferredSide: 'random' }, xssDataset());
    await simulateRaters(t.db, xssBatch, 2, { generated: 0.8, category: 0.5, category_topic: 0.5, control: 0.2, control_topic: 0.2, other: 0.1 }, createRng(9));
    app = await serve(t.app);
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  async function signedInPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${app.url}/console/sign-in`);
    await page.getByLabel('Email').fill('admin@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/batches$/);
    return { page, problems };
  }

  it('shows a batch\'s results with both charts', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${app.url}/console/batches/${resultsBatch.id}/results`);
    for (const id of ['#chart-ratios', '#chart-r1']) {
      await expect.poll(() => page.locator(id).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(100);
      expect(await page.locator(id).isVisible()).toBe(true);
    }
    expect(await page.locator('table.metrics').first().textContent()).toContain('Generated vs. Control');
    await page.screenshot({ path: path.join(ARTIFACTS, 'results.png') });
    const svg = await page.evaluate(async (url) => (await fetch(url)).text(), `/console/batches/${resultsBatch.id}/charts/ratios.svg`);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Generated vs. Control | Topic');
    expect(problems).toEqual([]);
  });

  it('refreshes the progress view without a reload', async () => {
    const { page } = await signedInPage();
    await page.goto(`${app.url}/console/batches/${resultsBatch.id}`);
    const before = Number(await page.locator('[data-field="participants.completed"]').textContent());
    await simulateRaters(t.db, resultsBatch, 1, { generated: 1, category: 0, category_topic: 0, control: 0, control_topic: 0, other: 0 }, createRng(10));
    await expect.poll(() => page.locator('[data-field="participants.completed"]').textContent(), { timeout: 12_000 }).toBe(String(before + 1));
  });

  it('shows an upload\'s line-numbered errors', async () => {
    const { page } = await signedInPage();
    await page.goto(`${app.url}/console/datasets`);
    await page.getByLabel('Name').fill('broken upload');
    await page.getByLabel('JSON Lines file').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from('{"id": 1}\nnot json\n') });
    await page.getByRole('button', { name: 'Upload and validate' }).click();
    await expect.poll(() => page.locator('.error-box').textContent()).toContain('line 2: (line): not valid JSON');
    expect(await page.locator('.error-box').textContent()).toContain('line 1: prompt');
  });

  it('executes nothing from a hostile dataset on the question page', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('dialog', (d) => {
      problems.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${app.url}/s/${xssBatch.id}?PROLIFIC_PID=${prolificId()}&STUDY_ID=${prolificId()}&SESSION_ID=${prolificId()}`);
    await page.getByRole('button', { name: 'I agree to take part' }).click();
    await page.getByRole('button', { name: 'Start the first question' }).click();
    // Five questions and two attention checks, which show the same content again.
    for (let n = 1; n <= 7; n++) {
      await expect.poll(() => page.locator('.progress-row span').textContent()).toBe(`Question ${n} of 7`);
      // The payloads are there, as text.
      expect(await page.locator('main').textContent()).toMatch(/window\.__xss|onerror|javascript:/);
      for (const link of await page.locator('.md a').all()) expect(await link.getAttribute('href')).not.toMatch(/^javascript:/i);
      await page.locator('label.option').first().hover();
      expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
      if (n === 1) await page.screenshot({ path: path.join(ARTIFACTS, 'question-xss.png'), fullPage: true });
      await page.locator('label.option').first().click();
      await page.getByRole('button', { name: /Submit/ }).click();
    }
    expect(problems).toEqual([]);
  });

  it('executes nothing from a hostile dataset in the console', async () => {
    const { page, problems } = await signedInPage();
    const participant = await t.db.prisma.participant.findFirstOrThrow({ where: { batchId: xssBatch.id, answers: { some: {} } } });
    for (const path of [
      '/console/batches',
      `/console/batches/${xssBatch.id}`,
      `/console/batches/${xssBatch.id}/results?by=category`,
      `/console/batches/${xssBatch.id}/results?by=topic`,
      `/console/batches/${xssBatch.id}/participants`,
      `/console/batches/${xssBatch.id}/participants/${participant.id}`,
      `/console/datasets/${xssBatch.datasetId}`,
      '/console/admin/audit',
    ]) {
      await page.goto(`${app.url}${path}`);
      await page.mouse.move(200, 300);
      expect([path, await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)]).toEqual([path, undefined]);
    }
    // Charts carry the hostile names as text inside an <img>: they render and run nothing.
    await page.goto(`${app.url}/console/batches/${xssBatch.id}/charts/ratios.svg`);
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(problems).toEqual([]);
  });
});
