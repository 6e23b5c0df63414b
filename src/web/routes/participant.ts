// The rater's pages (SPEC 3 and 5): Prolific entry, consent, instructions, 20 questions, completion.
// The server keeps each participant's place; every POST redirects to GET /session (reload-safe).
import express, { Router, type Request, type Response } from 'express';
import type { ProlificClient } from '../../prolific/client.js';
import { requestComprehensionReturn } from '../../prolific/review.js';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { maxAttentionChecks } from '../../core/attention-checks.js';
import { COMPREHENSION_QUESTION } from '../../core/comprehension.js';
import { recordComprehensionAnswer } from '../../db/comprehension.js';
import { completionUrl, prolificIdSchema } from '../../core/prolific.js';
import { entryRefusalPage, mayStart, participantStep, type EntryPage } from '../../core/participant-step.js';
import type { Batch } from '../../db/batches.js';
import type { Database } from '../../db/connection.js';
import { enterBatch, recordConsent, recordDecline, type Participant } from '../../db/participants.js';
import { submitCheckAnswer } from '../../db/attention-checks.js';
import { submitAnswer } from '../../db/questions.js';
import { showRaterPage, type RaterPage } from '../../db/raters.js';
import { startQuestions } from '../../db/task-assignment.js';
import { HttpError } from '../http-error.js';
import { batchOf, raterOf } from '../locals.js';
import {
  checkFormToken,
  formToken,
  loadBatch,
  loadRater,
  raterKeyOf,
  readParticipantCode,
  renderNoRater,
  setParticipantCookie,
} from '../middleware/participant-session.js';
import type { RateLimitStoreFactory } from '../middleware/rate-limit-store.js';
import { questionView, TaskContentCache } from '../question-view.js';
import { previewRouter } from './participant-preview.js';

export interface ParticipantRouterOptions {
  prolificCompleteUrl: string;
  rateLimitStore: RateLimitStoreFactory;
  /** With Prolific access, a failed comprehension question also asks Prolific for the return. */
  prolific: ProlificClient | null;
  log: (err: unknown) => void;
}

const entryQuery = z.object({ PROLIFIC_PID: prolificIdSchema, STUDY_ID: prolificIdSchema, SESSION_ID: prolificIdSchema });
const consentBody = z.object({ csrf: z.string(), decision: z.enum(['agree', 'decline']) });
const startBody = z.object({ csrf: z.string(), understanding: z.string().max(40).optional() });
const answerBody = z.object({
  csrf: z.string(),
  // A question's position: 0-based and small; anything else is a form that did not come from us.
  position: z.coerce.number().int().min(0).max(10_000),
  option: z.union([z.string().max(100), z.array(z.string().max(100)).max(50)]).optional().transform((v) => (v === undefined ? [] : [v].flat())),
  // Present on an attention check's form: then `position` is the question the check comes before.
  check: z.literal('1').optional(),
});

const ENTRY_REFUSAL_PAGES: Record<EntryPage, { status: number; view: string; locals: Record<string, string> }> = {
  'other-session': { status: 403, view: 'participant/other-session', locals: { title: 'Already taking part' } },
  full: { status: 409, view: 'participant/unavailable', locals: { title: 'Study full', reason: 'full' } },
  closed: { status: 409, view: 'participant/unavailable', locals: { title: 'Study closed', reason: 'closed' } },
  'not-open': { status: 409, view: 'participant/not-open', locals: { title: 'Study not open right now' } },
};

export function participantRouter(db: Pick<Database, 'prisma' | 'sql'>, options: ParticipantRouterOptions): Router {
  const { prisma } = db;
  const router = Router({ mergeParams: true });
  const form = express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 });
  const sessionUrl = (batch: Pick<Batch, 'id'>) => `/s/${batch.id}/session`;
  const taskContent = new TaskContentCache();

  router.use('/:batchId/preview', loadBatch(prisma), previewRouter(prisma, taskContent));

  // Entry is the one participant route anyone can hit with made-up ids: bound it per address,
  // counted in the database when several processes serve the study.
  const entryLimiter = rateLimit({
    windowMs: 60_000,
    limit: 60,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: options.rateLimitStore('entry:'),
  });

  router.get('/:batchId', loadBatch(prisma), entryLimiter, async (req, res) => {
    const batch = batchOf(res);
    const ids = entryQuery.safeParse(req.query);
    const cookieCode = readParticipantCode(req, batch.id);
    if (!ids.success) {
      // A reload of the bare study link by someone already in the study resumes their session.
      if (cookieCode) {
        res.redirect(303, sessionUrl(batch));
        return;
      }
      res.status(400).render('participant/open-from-prolific', { title: 'Open the study from Prolific' });
      return;
    }
    // A draft batch takes nobody: nothing is written.
    const entry = batch.status === 'draft'
      ? ({ ok: false, reason: 'not-open' } as const)
      : await enterBatch(db.sql, batch.id, { prolificPid: ids.data.PROLIFIC_PID, studyId: ids.data.STUDY_ID, sessionId: ids.data.SESSION_ID }, cookieCode, new Date());
    if (!entry.ok) {
      const page = ENTRY_REFUSAL_PAGES[entryRefusalPage(entry.reason, batch)];
      res.status(page.status).render(page.view, page.locals);
      return;
    }
    // Secure whenever the request came over TLS (directly or through a trusted proxy).
    setParticipantCookie(res, batch.id, entry.participant.code, req.secure);
    res.redirect(303, sessionUrl(batch));
  });

  router.get('/:batchId/session', async (req, res) => {
    await renderCurrentPage(req, res);
  });

  router.post('/:batchId/consent', loadRater(db), form, async (req, res) => {
    const participant = requireFormToken(res, req.body);
    const body = consentBody.safeParse(req.body);
    if (!body.success) return renderCurrentPage(req, res, { error: 'Please choose whether you agree to take part.' });
    if (body.data.decision === 'agree') await recordConsent(db.sql, participant, new Date());
    else await recordDecline(prisma, participant, new Date());
    res.redirect(303, sessionUrl(raterOf(res).batch));
  });

  router.post('/:batchId/start', loadRater(db), form, async (req, res) => {
    const participant = requireFormToken(res, req.body);
    const { batch } = raterOf(res);
    if (mayStart(participant, batch)) {
      // With a comprehension question, Start needs its right answer first (two tries).
      if (batch.comprehensionCheck && !participant.comprehensionPassedAt) {
        const choice = startBody.safeParse(req.body).data?.understanding;
        if (!choice) return renderCurrentPage(req, res, { error: 'Please choose an answer to the question below the instructions.' }, 422);
        const outcome = await recordComprehensionAnswer(db.sql, participant, choice, new Date());
        if (outcome === 'try-again') return renderCurrentPage(req, res, { error: 'That is not right. Please read the instructions again and choose once more: you have one more try.' }, 422);
        if (outcome === 'failed' && options.prolific) {
          // In the background: the rater's page never waits on Prolific; a failure is logged.
          requestComprehensionReturn(db.sql, options.prolific, participant, new Date(), SYSTEM_ACTOR).catch(options.log);
        }
        if (outcome !== 'passed') return res.redirect(303, sessionUrl(batch));
      }
      await startQuestions(db.sql, batch, participant, new Date());
    }
    res.redirect(303, sessionUrl(batch));
  });

  // The hot path: the form token is checked against the cookie's code, and the statement that
  // stores the answer finds the participant by that code (no separate read of the participant).
  router.post('/:batchId/answer', form, async (req, res) => {
    const key = raterKeyOf(req);
    if (!key) return renderNoRater(prisma, req, res);
    if (!checkFormToken(key, (req.body as { csrf?: unknown } | undefined)?.csrf)) throw badFormToken();
    const body = answerBody.safeParse(req.body);
    if (!body.success) {
      throw new HttpError(400, 'bad_answer_form', 'This answer form is out of date or incomplete. Please reload the page and answer again.');
    }
    const { position, option: selectedOptionIds, check } = body.data;
    const outcome = check
      ? await submitCheckAnswer(db.sql, key, { beforePosition: position, selectedOptionIds }, new Date())
      : await submitAnswer(db.sql, key, { position, selectedOptionIds }, new Date());
    switch (outcome.status) {
      case 'invalid-options':
        return renderCurrentPage(req, res, { error: 'Please tick at least one reason before continuing.' }, 422);
      case 'unknown-options':
        return renderCurrentPage(req, res, { error: 'This form is out of date: the reasons sent are not this question\'s. Here is the question again; please tick your reasons.' }, 422);
      // A second tab, the back button or a double click: say why the page moved on.
      case 'already-answered':
        return renderCurrentPage(req, res, { notice: 'This question was already answered (a second click, or another tab or window); the first answer was kept. Here is your next one.' });
      case 'no-such-question':
      case 'not-shown':
        return renderCurrentPage(req, res, { notice: 'That page was out of date. Here is the question you are on.' });
      default:
        // Stored, or a participant no longer answering: the session page shows where they are.
        res.redirect(303, sessionUrl({ id: key.batchId }));
    }
  });

  return router;

  /** Renders whichever page the participant is on; the server, not the URL, decides. */
  async function renderCurrentPage(req: Request, res: Response, message: PageMessage = {}, status = 200): Promise<void> {
    const key = raterKeyOf(req);
    const page = key ? await showRaterPage(db.sql, key, new Date()) : null;
    if (!page) return renderNoRater(prisma, req, res);
    await renderPage(res, page, message, status);
  }

  async function renderPage(res: Response, { participant, batch, question }: RaterPage, message: PageMessage, status: number): Promise<void> {
    const base = { batchId: batch.id, csrf: formToken(participant), error: message.error ?? null, notice: message.notice ?? null };
    switch (participantStep(participant, batch)) {
      case 'complete': {
        const completeUrl = completionUrl(options.prolificCompleteUrl, batch.completionCode);
        return res.render('participant/complete', { ...base, title: 'Thank you', completionCode: batch.completionCode, completeUrl });
      }
      case 'declined':
        return res.render('participant/declined', { ...base, title: 'Please return the study', status: participant.status });
      case 'comprehension-failed':
        return res.render('participant/comprehension-failed', { ...base, title: 'Please return the study' });
      case 'timed-out':
        return res.render('participant/timed-out', { ...base, title: 'Time ran out', maxMinutes: batch.maxMinutes });
      case 'closed':
        return res.status(409).render('participant/unavailable', { title: 'Study closed', reason: 'closed' });
      case 'consent':
        return res.status(status).render('participant/consent', { ...base, title: 'Consent' });
      case 'instructions':
        return res.status(status).render('participant/instructions', {
          ...base,
          title: 'Instructions',
          questions: batch.questionsPerRater + Math.min(batch.attentionChecks, maxAttentionChecks(batch.questionsPerRater)),
          comprehension: batch.comprehensionCheck && !participant.comprehensionPassedAt ? COMPREHENSION_QUESTION : null,
        });
      case 'question': {
        if (!question) throw new HttpError(500, 'session_inconsistent', 'Your answers are saved, but the next page could not be found.');
        const content = await taskContent.get(question.taskId, () => question.content);
        return res.status(status).render('participant/question', { ...base, title: `Question ${question.number}`, ...questionView(question, content) });
      }
    }
  }
}

/** What a re-rendered page says above its form: a problem to fix, or why the page moved on. */
interface PageMessage {
  error?: string;
  notice?: string;
}

const badFormToken = () => new HttpError(403, 'bad_form_token', 'This form has expired or did not come from this study. Please reload the page.');

function requireFormToken(res: Response, body: unknown): Participant {
  const { participant } = raterOf(res);
  const token = (body as { csrf?: unknown } | undefined)?.csrf;
  if (!checkFormToken(participant, token)) throw badFormToken();
  return participant;
}
