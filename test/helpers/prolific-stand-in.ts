// A local stand-in for Prolific's API (PROLIFIC.md): the calls PrefBasis makes, as documented,
// with pagination through `_links.next.href`, token checks, and injectable 429 and 5xx answers.
import express from 'express';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';

export interface StandInSubmission {
  id: string;
  participant_id: string;
  study_id: string;
  status: string;
}

export interface StandInCall {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  /** performance.now() when it arrived. */
  at: number;
}

export interface ProlificStandIn {
  url: string;
  token: string;
  submissions: StandInSubmission[];
  calls: StandInCall[];
  /** Answers the next requests with these statuses (429, 500…) before serving normally. */
  failNext: (...statuses: number[]) => void;
  /** How list pages link to the next one; and the largest page size served, whatever is asked. */
  paging: { links: 'absolute' | 'relative' | 'self' | 'other-host'; maxPageSize: number; nextOnLastPage: boolean };
  /** Studies by id, as `GET /studies/{id}/` shows them (404 for others). */
  studies: Record<string, { maximum_allowed_time: number }>;
  /** The Retry-After header (seconds) of an injected 429; absent when null. */
  throttle: { retryAfter: string | null };
  close: () => Promise<void>;
}

export async function startProlificStandIn(token = 'stand-in-token'): Promise<ProlificStandIn> {
  const submissions: StandInSubmission[] = [];
  const calls: StandInCall[] = [];
  const failures: number[] = [];
  const paging: ProlificStandIn['paging'] = { links: 'absolute', maxPageSize: 1000, nextOnLastPage: false };
  const throttle: ProlificStandIn['throttle'] = { retryAfter: '0' };
  const studies: ProlificStandIn['studies'] = {};
  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    calls.push({ method: req.method, path: req.path, query: { ...req.query }, body: req.body as unknown, at: performance.now() });
    if (req.get('authorization') !== `Token ${token}`) return void res.status(401).json({ error: { detail: 'Invalid token.' } });
    const failure = failures.shift();
    if (failure === 429) {
      if (throttle.retryAfter !== null) res.set('Retry-After', throttle.retryAfter);
      return void res.status(429).json({ error: { detail: 'Request was throttled.' } });
    }
    if (failure !== undefined) return void res.status(failure).json({ error: { detail: 'Server error.' } });
    next();
  });

  app.get('/api/v1/submissions/', (req, res) => {
    const study = String(req.query.study ?? '');
    const page = Math.max(1, Number(req.query.page ?? 1));
    const size = Math.min(paging.maxPageSize, Math.max(1, Number(req.query.page_size ?? 20)));
    const all = submissions.filter((s) => s.study_id === study);
    const results = all.slice((page - 1) * size, page * size);
    const more = page * size < all.length;
    const query = `?study=${study}&page=${page + 1}&page_size=${size}`;
    const links = { absolute: `${baseUrl}submissions/${query}`, relative: query, self: `${baseUrl}submissions/?study=${study}&page=${page}&page_size=${size}`, 'other-host': `http://elsewhere.invalid/api/v1/submissions/${query}` };
    // A misbehaving server may send a next link on the last page too.
    const next = more || paging.nextOnLastPage ? links[paging.links] : null;
    res.json({ results, _links: { next: { href: next }, self: { href: req.originalUrl } }, meta: { count: all.length } });
  });

  app.get('/api/v1/studies/:id/', (req, res) => {
    const study = studies[req.params.id];
    if (!study) return void res.status(404).json({ error: { detail: 'Not found.' } });
    res.json({ id: req.params.id, estimated_completion_time: Math.round(study.maximum_allowed_time / 3), ...study });
  });

  app.post('/api/v1/submissions/bulk-approve/', (req, res) => {
    const body = req.body as { study_id?: string; participant_ids?: string[] };
    for (const s of submissions) {
      if (s.study_id === body.study_id && body.participant_ids?.includes(s.participant_id) && s.status === 'AWAITING REVIEW') s.status = 'APPROVED';
    }
    res.json({ message: 'The request to bulk approve has been made successfully.' });
  });

  app.post('/api/v1/submissions/:id/transition/', (req, res) => {
    const s = submissions.find((x) => x.id === req.params.id);
    if (!s) return void res.status(404).json({ error: { detail: 'Not found.' } });
    const body = req.body as { action?: string };
    if (s.status !== 'AWAITING REVIEW') return void res.status(400).json({ error: { detail: `Cannot transition from ${s.status}.` } });
    s.status = body.action === 'REJECT' ? 'REJECTED' : 'APPROVED';
    res.json({ id: s.id, status: s.status });
  });

  app.post('/api/v1/submissions/:id/request-return/', (req, res) => {
    const s = submissions.find((x) => x.id === req.params.id);
    if (!s) return void res.status(404).json({ error: { detail: 'Not found.' } });
    res.json({ id: s.id, status: s.status, return_requested: new Date().toISOString() });
  });

  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/`;
  return {
    url: baseUrl,
    token,
    submissions,
    calls,
    failNext: (...statuses) => failures.push(...statuses),
    paging,
    throttle,
    studies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
