// Participant cookies and form tokens: a cookie gives access only to its own participant's session.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Prisma } from '../../db/connection.js';
import { findBatchById, type Batch } from '../../db/batches.js';
import { findParticipantByCode, type Participant } from '../../db/participants.js';
import { HttpError } from '../http-error.js';

export function participantCookieName(batchId: string): string {
  return `pb_p_${batchId}`;
}

export function setParticipantCookie(res: Response, batchId: string, code: string, secure: boolean): void {
  res.cookie(participantCookieName(batchId), code, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: `/s/${batchId}`,
    maxAge: 14 * 24 * 3600 * 1000,
  });
}

export function readCookie(req: Request, name: string): string | null {
  const value: unknown = req.cookies?.[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Synchronizer token bound to the participant's secret code: a forged form cannot know it. */
export function formToken(participant: Participant): string {
  return createHash('sha256').update(`${participant.code}:form`).digest('base64url');
}

export function checkFormToken(participant: Participant, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(formToken(participant));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Guarantees res.locals.batch exists (404 page otherwise). */
export function loadBatch(prisma: Prisma): RequestHandler {
  return async (req, res, next) => {
    const batch = await findBatchById(prisma, String(req.params.batchId ?? ''));
    if (!batch) throw new HttpError(404, 'study_not_found', 'This study link is not valid. Please open the study again from Prolific.');
    res.locals.batch = batch;
    next();
  };
}

/** Guarantees res.locals.participant is the cookie holder of this batch, or shows how to get back in. */
export function loadParticipant(prisma: Prisma): RequestHandler {
  return async (req, res, next) => {
    const batch = res.locals.batch as Batch;
    const code = readCookie(req, participantCookieName(batch.id));
    const participant = code ? await findParticipantByCode(prisma, batch.id, code) : null;
    if (!participant) {
      res.status(400).render('participant/open-from-prolific', { title: 'Open the study from Prolific' });
      return;
    }
    res.locals.participant = participant;
    next();
  };
}
