// The rater's pages (SPEC 3 and 5): Prolific entry, consent, instructions, 20 questions, completion.
// The server keeps each participant's place; every POST redirects to GET /session (reload-safe).
import express, { Router, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { prolificIdSchema } from '../../core/batch-settings.js';
import type { Batch } from '../../db/batches.js';
import type { Prisma } from '../../db/connection.js';
import {
  enterBatch,
  findCurrentQuestion,
  findParticipantByPid,
  recordConsent,
  recordDecline,
  startQuestions,
  submitAnswer,
  type CurrentQuestion,
  type Participant,
} from '../../db/participants.js';
import { HttpError } from '../http-error.js';
import {
  checkFormToken,
  formToken,
  loadBatch,
  loadParticipant,
  participantCookieName,
  readCookie,
  setParticipantCookie,
} from '../middleware/participant-session.js';
import { renderUntrustedMarkdown } from '../render-response.js';
import { previewRouter } from './participant-preview.js';

export interface ParticipantRouterOptions {
  prolificCompleteUrl: string;
}

const entryQuery = z.object({ PROLIFIC_PID: prolificIdSchema, STUDY_ID: prolificIdSchema, SESSION_ID: prolificIdSchema });
const consentBody = z.object({ csrf: z.string(), decision: z.enum(['agree', 'decline']) });
const answerBody = z.object({
  csrf: z.string(),
  position: z.coerce.number().int().min(0),
  option: z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : [v].flat())),
});

export function participantRouter(prisma: Prisma, options: ParticipantRouterOptions): Router {
  const router = Router({ mergeParams: true });
  const form = express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 });
  const sessionUrl = (batch: Batch) => `/s/${batch.id}/session`;

  router.use('/:batchId', loadBatch(prisma));
  router.use('/:batchId/preview', previewRouter(prisma));

  // Entry is the one participant route anyone can hit with made-up ids: bound it per address.
  const entryLimiter = rateLimit({ windowMs: 60_000, limit: 60, standardHeaders: 'draft-8', legacyHeaders: false });

  router.get('/:batchId', entryLimiter, async (req, res) => {
    const batch = res.locals.batch as Batch;
    const ids = entryQuery.safeParse(req.query);
    if (!ids.success) {
      // A reload of the bare study link by someone already in the study resumes their session.
      if (readCookie(req, participantCookieName(batch.id))) {
        res.redirect(303, sessionUrl(batch));
        return;
      }
      res.status(400).render('participant/open-from-prolific', { title: 'Open the study from Prolific' });
      return;
    }
    // A paused batch takes no new raters, but those already in it carry on (their work is not lost).
    const returning = batch.status === 'paused' ? await findParticipantByPid(prisma, batch.id, ids.data.PROLIFIC_PID) : null;
    if (batch.status === 'draft' || (batch.status === 'paused' && !returning)) {
      res.status(409).render('participant/not-open', { title: 'Study not open right now' });
      return;
    }
    const entry = await enterBatch(prisma, batch, { prolificPid: ids.data.PROLIFIC_PID, studyId: ids.data.STUDY_ID, sessionId: ids.data.SESSION_ID });
    if (!entry.ok) {
      res.status(409).render('participant/unavailable', { title: 'Study full', reason: 'full' });
      return;
    }
    if (batch.status === 'closed' && entry.participant.status !== 'completed') {
      res.status(409).render('participant/unavailable', { title: 'Study closed', reason: 'closed' });
      return;
    }
    // Secure whenever the request came over TLS (directly or through a trusted proxy).
    setParticipantCookie(res, batch.id, entry.participant.code, req.secure);
    res.redirect(303, sessionUrl(batch));
  });

  router.get('/:batchId/session', loadParticipant(prisma), async (_req, res) => {
    await renderCurrentPage(res, new Date());
  });

  router.post('/:batchId/consent', loadParticipant(prisma), form, async (req, res) => {
    const participant = requireFormToken(res, req.body);
    const body = consentBody.safeParse(req.body);
    if (!body.success) return renderCurrentPage(res, new Date(), 'Please choose whether you agree to take part.');
    if (body.data.decision === 'agree') await recordConsent(prisma, participant, new Date());
    else await recordDecline(prisma, participant, new Date());
    res.redirect(303, sessionUrl(res.locals.batch as Batch));
  });

  router.post('/:batchId/start', loadParticipant(prisma), form, async (req, res) => {
    const participant = requireFormToken(res, req.body);
    const batch = res.locals.batch as Batch;
    if (participant.status === 'active' && acceptsAnswers(batch)) await startQuestions(prisma, batch, participant, new Date());
    res.redirect(303, sessionUrl(batch));
  });

  router.post('/:batchId/answer', loadParticipant(prisma), form, async (req, res) => {
    const participant = requireFormToken(res, req.body);
    const batch = res.locals.batch as Batch;
    const body = answerBody.safeParse(req.body);
    if (!body.success || participant.status !== 'active' || !acceptsAnswers(batch)) {
      res.redirect(303, sessionUrl(batch));
      return;
    }
    const outcome = await submitAnswer(prisma, participant, { position: body.data.position, selectedOptionIds: body.data.option }, new Date());
    if (outcome.status === 'invalid-options') {
      return renderCurrentPage(res, new Date(), 'Please tick at least one reason before continuing.', 422);
    }
    // stored, already answered (a resubmit) or unknown position: the session page shows where they are.
    res.redirect(303, sessionUrl(batch));
  });

  return router;

  /** Renders whichever page the participant is on; the server, not the URL, decides. */
  async function renderCurrentPage(res: Response, now: Date, error?: string, status = 200): Promise<void> {
    const batch = res.locals.batch as Batch;
    const participant = await prisma.participant.findUniqueOrThrow({ where: { id: (res.locals.participant as Participant).id } });
    const base = { batchId: batch.id, csrf: formToken(participant), error: error ?? null };
    if (participant.status === 'completed') {
      const completeUrl = `${options.prolificCompleteUrl}?cc=${encodeURIComponent(batch.completionCode)}`;
      return res.render('participant/complete', { ...base, title: 'Thank you', completionCode: batch.completionCode, completeUrl });
    }
    if (participant.status === 'declined' || participant.status === 'returned') {
      return res.render('participant/declined', { ...base, title: 'Please return the study' });
    }
    if (!acceptsAnswers(batch)) {
      return res.status(409).render('participant/unavailable', { title: 'Study closed', reason: 'closed' });
    }
    if (participant.status === 'consenting') {
      res.status(status).render('participant/consent', { ...base, title: 'Consent' });
      return;
    }
    if (!participant.startedAt) {
      return res.render('participant/instructions', { ...base, title: 'Instructions', questions: batch.questionsPerRater });
    }
    const question = await findCurrentQuestion(prisma, participant, now);
    if (!question) throw new HttpError(500, 'session_inconsistent', 'Your answers are saved, but the next page could not be found.');
    res.status(status).render('participant/question', { ...base, title: `Question ${question.position + 1}`, ...questionView(question) });
  }
}

/** Raters already in a batch may answer while it is open or paused; closing stops everything. */
function acceptsAnswers(batch: Batch): boolean {
  return batch.status === 'open' || batch.status === 'paused';
}

function requireFormToken(res: Response, body: unknown): Participant {
  const participant = res.locals.participant as Participant;
  const token = (body as { csrf?: unknown } | undefined)?.csrf;
  if (!checkFormToken(participant, token)) {
    throw new HttpError(403, 'bad_form_token', 'This form has expired or did not come from this study. Please reload the page.');
  }
  return participant;
}

/** What the question template needs: never an option's kind, only its opaque id and text. */
export function questionView(q: CurrentQuestion) {
  const preferred = { label: 'preferred', html: renderUntrustedMarkdown(q.preferred) };
  const other = { label: 'other', html: renderUntrustedMarkdown(q.other) };
  return {
    number: q.position + 1,
    total: q.total,
    position: q.position,
    promptHtml: renderUntrustedMarkdown(q.prompt),
    responses: q.preferredFirst ? [preferred, other] : [other, preferred],
    preferredIndex: q.preferredFirst ? 1 : 2,
    options: q.optionOrder.map((id) => ({ id, text: q.options.get(id) ?? '' })),
  };
}
