// A rater completes a session in real Chromium: clicks labels, reloads mid-way, uses the keyboard,
// and ends on Prolific's completion URL (a local stand-in) with the completion code.
import type http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeBatchStatus, type Batch } from '../../src/db/batches.js';
import { ARTIFACTS, browserAvailable, launchChromium, serve, type Served } from '../helpers/browser.js';
import { createOpenBatch, prolificId } from '../helpers/rater.js';
import { createRng } from '../../src/core/rng.js';
import { generateSyntheticDataset, toJsonl } from '../../src/core/synthetic-dataset.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_ACTOR } from '../helpers/actor.js';

describe.runIf(browserAvailable)('rater session in Chromium', () => {
  let t: TestApp;
  let app: Served;
  let prolific: Served;
  let browser: Browser;
  let batch: Batch;
  const completions: string[] = [];

  beforeAll(async () => {
    prolific = await serve((req: http.IncomingMessage, res: http.ServerResponse) => {
      // The browser may also ask the stand-in for /favicon.ico: only completions are recorded.
      if (req.url?.startsWith('/submissions/')) completions.push(req.url);
      res.end('Prolific stand-in: submission complete');
    });
    t = await createTestApp({ prolificCompleteUrl: `${prolific.url}/submissions/complete` });
    // No attention checks here: the steps below are numbered by study question (checks have a test of their own).
    batch = await createOpenBatch(t.db, { questions: 10, attentionChecks: 0 }, 200);
    app = await serve(t.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await prolific?.close();
    await t?.drop();
  });

  it('completes a session by clicking, survives a reload, and lands on the completion redirect', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const scriptErrors: string[] = [];
    page.on('pageerror', (e) => scriptErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && scriptErrors.push(m.text()));
    const pid = prolificId();
    await page.goto(`${app.url}/s/${batch.id}?PROLIFIC_PID=${pid}&STUDY_ID=${prolificId()}&SESSION_ID=${prolificId()}`);
    await page.getByRole('button', { name: 'I agree to take part' }).click();
    await page.getByRole('button', { name: 'Start the first question' }).click();

    for (let n = 1; n <= 10; n++) {
      await expect.poll(() => page.locator('.progress-row span').textContent()).toBe(`Question ${n} of 10`);
      if (n === 1) {
        await page.screenshot({ path: path.join(ARTIFACTS, 'question-desktop.png'), fullPage: true });
        // Submitting with nothing ticked is stopped in the page, and nothing is stored. The page's
        // script runs at the end of the body: a click before it has loaded is checked by the
        // server instead (CI once clicked that early under load).
        await page.waitForLoadState('load');
        await page.getByRole('button', { name: 'Submit' }).click();
        await expect.poll(() => page.locator('#client-error').isVisible()).toBe(true);
      }
      if (n === 4) {
        // Tick one, reload: the same question comes back and the session continues.
        await page.locator('label.option').first().click();
        await page.reload();
        await expect.poll(() => page.locator('.progress-row span').textContent()).toBe('Question 4 of 10');
      }
      if (n === 6) {
        // Keyboard alone: Tab to the first checkbox, Space to tick it, Enter to submit.
        await page.locator('body').focus();
        await page.keyboard.press('Tab');
        for (let i = 0; i < 30 && !(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type === 'checkbox')); i++) {
          await page.keyboard.press('Tab');
        }
        await page.keyboard.press('Space');
        await page.keyboard.press('Enter');
        continue;
      }
      // Clicking the label text ticks the checkbox.
      await page.locator('label.option span').nth(n % 5).click();
      await page.locator('label.option span').nth(5).click();
      await page.getByRole('button', { name: n === 10 ? 'Submit and finish' : 'Submit' }).click();
    }

    await expect.poll(() => page.locator('.code').textContent()).toBe('C0MPLETE');
    await page.waitForURL(/submissions\/complete\?cc=C0MPLETE/, { timeout: 15_000 });
    expect(completions).toEqual(['/submissions/complete?cc=C0MPLETE']);
    expect(scriptErrors).toEqual([]);

    const participant = await t.db.prisma.participant.findFirstOrThrow({ where: { batchId: batch.id, prolificPid: pid } });
    expect(participant.status).toBe('completed');
    const answers = await t.db.prisma.answer.findMany({ where: { participantId: participant.id }, orderBy: { position: 'asc' } });
    expect(answers).toHaveLength(10);
    expect(answers[5]?.selectedOptionIds).toHaveLength(1);
    expect(answers[0]?.selectedOptionIds).toHaveLength(2);
  });

  it('lets a rater mid-session finish after the batch is closed and reach the completion URL, while a newcomer is turned away', async () => {
    const closing = await createOpenBatch(t.db, { questions: 3, attentionChecks: 0 }, 120);
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const pid = prolificId();
    await page.goto(`${app.url}/s/${closing.id}?PROLIFIC_PID=${pid}&STUDY_ID=${prolificId()}&SESSION_ID=${prolificId()}`);
    await page.getByRole('button', { name: 'I agree to take part' }).click();
    await page.getByRole('button', { name: 'Start the first question' }).click();
    await expect.poll(() => page.locator('.progress-row span').textContent()).toBe('Question 1 of 3');
    const closed = await changeBatchStatus(t.db.prisma, closing, 'closed', new Date(), TEST_ACTOR);
    expect(closed.ok).toBe(true);

    for (let n = 1; n <= 3; n++) {
      await expect.poll(() => page.locator('.progress-row span').textContent()).toBe(`Question ${n} of 3`);
      await page.locator('label.option span').first().click();
      await page.getByRole('button', { name: n === 3 ? 'Submit and finish' : 'Submit' }).click();
    }
    await page.waitForURL(/submissions\/complete\?cc=C0MPLETE/, { timeout: 15_000 });
    const participant = await t.db.prisma.participant.findFirstOrThrow({ where: { batchId: closing.id, prolificPid: pid } });
    expect(participant.status).toBe('completed');

    const newcomer = await browser.newPage();
    await newcomer.goto(`${app.url}/s/${closing.id}?PROLIFIC_PID=${prolificId()}&STUDY_ID=${prolificId()}&SESSION_ID=${prolificId()}`);
    await expect.poll(() => newcomer.locator('body').textContent()).toContain('This study is closed');
  });

  it('shows attention checks as questions whose own text names the option to tick, and records them passed', async () => {
    const checked = await createOpenBatch(t.db, { questions: 5, attentionChecks: 2 }, 120);
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const pid = prolificId();
    await page.goto(`${app.url}/s/${checked.id}?PROLIFIC_PID=${pid}&STUDY_ID=${prolificId()}&SESSION_ID=${prolificId()}`);
    await page.getByRole('button', { name: 'I agree to take part' }).click();
    await page.getByRole('button', { name: 'Start the first question' }).click();
    const checkNumbers: number[] = [];
    for (let n = 1; n <= 7; n++) {
      await expect.poll(() => page.locator('.progress-row span').textContent()).toBe(`Question ${n} of 7`);
      const legend = (await page.locator('legend').textContent()) ?? '';
      const target = /“([^”]+)”/.exec(legend)?.[1];
      if (target) {
        checkNumbers.push(n);
        await page.locator('label.option span', { hasText: target }).first().click();
      } else {
        expect(legend).toContain('is preferred because');
        await page.locator('label.option span').first().click();
      }
      await page.getByRole('button', { name: n === 7 ? 'Submit and finish' : 'Submit' }).click();
    }
    await page.waitForURL(/submissions\/complete\?cc=C0MPLETE/, { timeout: 15_000 });
    expect(checkNumbers).toHaveLength(2);
    expect(checkNumbers[0]).toBeGreaterThan(1);
    const checks = await t.db.prisma.attentionCheck.findMany({ where: { participant: { batchId: checked.id, prolificPid: pid } } });
    expect(checks.map((c) => c.passed)).toEqual([true, true]);
  });

  it('fits a question page on a phone-width screen', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true });
    await page.goto(`${app.url}/s/${batch.id}?PROLIFIC_PID=${prolificId()}&STUDY_ID=${prolificId()}&SESSION_ID=${prolificId()}`);
    await page.getByRole('button', { name: 'I agree to take part' }).click();
    await page.getByRole('button', { name: 'Start the first question' }).click();
    await expect.poll(() => page.locator('.progress-row span').textContent()).toBe('Question 1 of 10');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'question-phone.png'), fullPage: true });
  });

  it('lays a long pair side by side on wide screens with the reasons in reach, stacked on phones, never wider than the screen', async () => {
    // Long responses, one with a wide fenced code block, and a prompt with unfenced indented code.
    const long = (who: string) => `${who} says:\n\n${'This sentence adds length to a long answer. '.repeat(120)}\n\n\`\`\`java\n${'    int aVeryLongVariableNameThatGoesOnAndOn = computeSomethingWithManyArguments(first, second, third, fourth);\n'.repeat(12)}\`\`\`\n\n${'More text to read. '.repeat(200)}`;
    const lines = generateSyntheticDataset(60, createRng('long pair')).map((l) => ({ ...l, prompt: 'Revise this Java method:\npublic int sum(int[] xs) {\n    int total = 0;\n    return total;\n}', response_a: long('A'), response_b: long('B') }));
    const longBatch = await createOpenBatch(t.db, { questions: 5, attentionChecks: 0 }, toJsonl(lines));
    for (const [width, height] of [[390, 844], [1280, 800], [1920, 1080]] as const) {
      const page = await browser.newPage({ viewport: { width, height }, isMobile: width < 500 });
      await page.goto(`${app.url}/s/${longBatch.id}?PROLIFIC_PID=${prolificId()}&STUDY_ID=${prolificId()}&SESSION_ID=${prolificId()}`);
      await page.getByRole('button', { name: 'I agree to take part' }).click();
      await page.getByRole('button', { name: 'Start the first question' }).click();
      await expect.poll(() => page.locator('.progress-row span').textContent()).toBe('Question 1 of 5');
      await page.screenshot({ path: path.join(ARTIFACTS, `question-long-${width}.png`), fullPage: true });
      const layout = await page.evaluate(() => {
        const box = (el: Element | null) => el?.getBoundingClientRect() ?? null;
        const [a, b] = [...document.querySelectorAll('.response')].map(box);
        const pre = document.querySelector('.response pre');
        return {
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          a, b,
          reasonsTop: box(document.querySelector('.reasons fieldset'))?.top ?? Infinity,
          preScrolls: pre ? pre.scrollWidth > pre.clientWidth : false,
          promptIndent: document.querySelector('.prompt .md')?.textContent?.includes('\u00a0\u00a0\u00a0\u00a0int total') ?? false,
        };
      });
      expect(layout.overflow, `page wider than ${width} px`).toBeLessThanOrEqual(0);
      expect(layout.promptIndent).toBe(true);
      if (width < 1100) {
        // Stacked: the second response below the first; long code scrolls in its own box.
        expect(layout.b!.top).toBeGreaterThanOrEqual(layout.a!.bottom);
        expect(layout.preScrolls).toBe(true);
      } else {
        // Side by side, each scrolling on its own: the reasons start within the first screen.
        expect(Math.abs(layout.a!.top - layout.b!.top)).toBeLessThan(2);
        expect(layout.b!.left).toBeGreaterThanOrEqual(layout.a!.right);
        expect(layout.a!.height).toBeLessThanOrEqual(0.6 * height);
        expect(layout.reasonsTop).toBeLessThan(height);
      }
      await page.close();
    }
  });
});
