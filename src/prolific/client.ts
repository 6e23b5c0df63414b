// A client for the Prolific API calls PrefBasis uses (PROLIFIC.md): list a study's submissions,
// approve in bulk, reject, request a return. Rate limits (429) and server errors (5xx) are retried
// with back-off; every other error becomes a ProlificApiError that says what Prolific answered.
import { z } from 'zod';
import { normalizeSubmissionStatus } from '../core/prolific.js';

export const DEFAULT_PROLIFIC_API_URL = 'https://api.prolific.com/api/v1/';

export interface ProlificClientOptions {
  baseUrl: string;
  /** The researcher's API token: sent in a header, never logged. */
  token: string;
  /** Tries per call before giving up on 429 and 5xx (default 5). */
  maxAttempts?: number;
  /** Waits between tries; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  /** First back-off in ms when Prolific gives no Retry-After (doubles each try). */
  backoffMs?: number;
}

export class ProlificApiError extends Error {
  constructor(
    readonly status: number,
    readonly call: string,
    detail: string,
  ) {
    super(`Prolific API ${call} failed with ${status}: ${detail}`);
  }
}

/** A submission as the sync reads it; Prolific sends more fields, ignored here. */
export interface Submission {
  id: string;
  participantId: string;
  /** Normalized: upper case with underscores (AWAITING_REVIEW, TIMED_OUT). */
  status: string;
}

const submissionSchema = z
  .object({ id: z.string(), participant_id: z.string().optional(), participant: z.string().optional(), status: z.string() })
  .transform((s) => ({ id: s.id, participantId: s.participant_id ?? s.participant ?? '', status: normalizeSubmissionStatus(s.status) }));

const pageSchema = z.object({
  results: z.array(submissionSchema),
  _links: z.object({ next: z.object({ href: z.string().nullable().optional() }).nullable().optional() }).optional(),
});

const studySchema = z.object({ maximum_allowed_time: z.number().positive().nullable().optional() });

const PAGE_SIZE = 100;
/** 10,000 pages of 100: far beyond any study; past it the links must be looping. */
const MAX_PAGES = 10_000;

export class ProlificClient {
  private readonly base: string;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly backoffMs: number;

  constructor(private readonly options: ProlificClientOptions) {
    this.base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.backoffMs = options.backoffMs ?? 1000;
  }

  /**
   * Every submission of the study (PROLIFIC.md): follows each page's next link, resolved against
   * that page, until there is none, it points back to a page already read, or a page comes back
   * shorter than the pages before it (the page size Prolific serves, which may be capped below the
   * one asked for: a first page of 50 when 100 were asked is read on). Submissions seen twice are
   * kept once. A next link to another host is refused: the token is only ever sent to the API.
   */
  async listSubmissions(studyId: string): Promise<Submission[]> {
    const byId = new Map<string, Submission>();
    const visited = new Set<string>();
    let url: string | null = this.url(`submissions/?study=${encodeURIComponent(studyId)}&page=1&page_size=${PAGE_SIZE}`);
    let served = 0;
    while (url !== null && !visited.has(url)) {
      if (visited.size >= MAX_PAGES) throw new ProlificApiError(0, 'list submissions', `more than ${MAX_PAGES} pages of submissions`);
      visited.add(url);
      const parsed = pageSchema.safeParse(await this.request('GET', url, 'list submissions'));
      if (!parsed.success) throw new ProlificApiError(200, 'list submissions', `unexpected response: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      for (const s of parsed.data.results) byId.set(s.id, s);
      const next = parsed.data._links?.next?.href ?? null;
      const short = parsed.data.results.length === 0 || parsed.data.results.length < served;
      served = Math.max(served, parsed.data.results.length);
      url = next && !short ? this.sameOrigin(new URL(next, url).toString()) : null;
    }
    return [...byId.values()];
  }

  private sameOrigin(url: string): string {
    if (new URL(url).origin !== new URL(this.base).origin) throw new ProlificApiError(0, 'list submissions', `a next link to another host (${new URL(url).origin}) was not followed`);
    return url;
  }

  /**
   * The most minutes Prolific gives a participant of the study before it times them out
   * (`maximum_allowed_time` of `GET /studies/{id}/`); null when Prolific does not say.
   */
  async getStudyTimeLimit(studyId: string): Promise<number | null> {
    const parsed = studySchema.safeParse(await this.request('GET', this.url(`studies/${encodeURIComponent(studyId)}/`), 'read study'));
    return parsed.success ? (parsed.data.maximum_allowed_time ?? null) : null;
  }

  /** Approves the study's submissions of these participants (Prolific ids) at once. */
  async bulkApprove(studyId: string, participantIds: readonly string[]): Promise<void> {
    if (participantIds.length === 0) return;
    await this.request('POST', this.url('submissions/bulk-approve/'), 'bulk approve', { study_id: studyId, participant_ids: participantIds });
  }

  /** Rejects one submission (awaiting review) with Prolific's category and a message for the participant. */
  async reject(submissionId: string, reason: { category: string; message: string }): Promise<void> {
    await this.request('POST', this.url(`submissions/${encodeURIComponent(submissionId)}/transition/`), 'reject', {
      action: 'REJECT',
      message: reason.message,
      rejection_category: reason.category,
    });
  }

  /** Asks the participant to return the submission, with the reasons shown to them. */
  async requestReturn(submissionId: string, reasons: readonly string[]): Promise<void> {
    await this.request('POST', this.url(`submissions/${encodeURIComponent(submissionId)}/request-return/`), 'request return', { request_return_reasons: reasons });
  }

  private url(path: string): string {
    return new URL(path, this.base).toString();
  }

  private async request(method: 'GET' | 'POST', url: string, call: string, body?: unknown): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { Authorization: `Token ${this.options.token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        if (attempt >= this.maxAttempts) throw new ProlificApiError(0, call, `no answer (${err instanceof Error ? err.message : String(err)})`);
        await this.sleep(this.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      if (res.ok) return res.status === 204 ? null : res.json().catch(() => null);
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable || attempt >= this.maxAttempts) throw new ProlificApiError(res.status, call, await errorDetail(res));
      await this.sleep(retryDelay(res, this.backoffMs * 2 ** (attempt - 1)));
    }
  }
}

/** Retry-After in seconds when Prolific sends it, else the back-off; capped at a minute. */
function retryDelay(res: Response, backoff: number): number {
  const header = Number(res.headers.get('retry-after'));
  return Math.min(60_000, Number.isFinite(header) && header > 0 ? header * 1000 : backoff);
}

async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.slice(0, 300) || res.statusText;
}
