// Reading an LLM evaluator's reply to the Figure 8 prompt: the ```json block, or else the first JSON
// list in the text; each entry's "preference" matched back to one of the six listed items by
// normalised text or by its number; "yes" selects, "no" and "unsure" do not. A reply that cannot
// be read says why (it is retried, then stored as a failed item: never counted as "none selected").
import { phraseKey } from './normalize.js';

export type ReplyReading =
  | { ok: true; selected: number[] }
  | { ok: false; problem: string };

const RELEVANCE = new Map([
  ['yes', true],
  ['no', false],
  ['unsure', false],
]);

/**
 * `listed` are the six items as the prompt numbered them (1-based in the prompt, 0-based here).
 * Returns the indexes of the items marked "yes", ascending; every item must be answered.
 */
export function readReply(reply: string, listed: readonly string[]): ReplyReading {
  const entries = jsonEntries(reply);
  if (typeof entries === 'string') return { ok: false, problem: entries };
  if (entries.length === 0) return { ok: false, problem: 'the reply lists no preferences' };
  const keys = listed.map(phraseKey);
  const selected = new Set<number>();
  const seen = new Set<number>();
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) return { ok: false, problem: `an entry is not an object: ${short(entry)}` };
    const { preference, relevant } = entry as { preference?: unknown; relevant?: unknown };
    const index = matchItem(preference, keys);
    if (index === null) return { ok: false, problem: `preference ${short(preference)} is none of the listed items` };
    const yes = typeof relevant === 'string' ? RELEVANCE.get(relevant.trim().toLowerCase()) : typeof relevant === 'boolean' ? relevant : undefined;
    if (yes === undefined) return { ok: false, problem: `"relevant" must be yes, no or unsure, not ${short(relevant)}` };
    if (yes) selected.add(index);
    seen.add(index);
  }
  // The prompt asks about every item: one left out is not a "no", it is a reply to ask again.
  const missing = listed.filter((_, i) => !seen.has(i));
  if (missing.length > 0) return { ok: false, problem: `the reply leaves out ${missing.length} of the ${listed.length} items, e.g. ${short(missing[0])}` };
  return { ok: true, selected: [...selected].sort((a, b) => a - b) };
}

/** The item a "preference" names: its text (normalised), its number, or "3. its text". */
function matchItem(preference: unknown, keys: readonly string[]): number | null {
  const byNumber = (n: number) => (Number.isInteger(n) && n >= 1 && n <= keys.length ? n - 1 : null);
  if (typeof preference === 'number') return byNumber(preference);
  if (typeof preference !== 'string') return null;
  const exact = keys.indexOf(phraseKey(preference));
  if (exact !== -1) return exact;
  const numbered = /^\s*(\d+)\s*[.):-]?\s*(.*)$/su.exec(preference);
  if (!numbered) return null;
  const n = byNumber(Number(numbered[1]));
  const rest = phraseKey(numbered[2] ?? '');
  // "3" alone, or "3. <the third item's text>"; a number that disagrees with its text is no match.
  if (rest === '') return n;
  return n !== null && keys[n] === rest ? n : null;
}

/** The list of entries in the reply, or what is wrong with it. */
function jsonEntries(reply: string): unknown[] | string {
  if (reply.trim() === '') return 'the reply is empty';
  const fenced = /```(?:json)?\s*([\s\S]*?)```/iu.exec(reply);
  const candidates = fenced ? [fenced[1] ?? ''] : [];
  candidates.push(...jsonListsIn(reply));
  for (const text of candidates) {
    const value = parseJson(text);
    const list = Array.isArray(value) ? value : listInside(value);
    if (list) return list;
  }
  return 'no JSON list of preferences in the reply';
}

/** An object wrapping the list (`{"preferences": [...]}`): its first array value. */
function listInside(value: unknown): unknown[] | null {
  if (typeof value !== 'object' || value === null) return null;
  return Object.values(value).find(Array.isArray) ?? null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.trim());
  } catch {
    return undefined;
  }
}

/** Every balanced `[...]` span starting at a `[`, outermost first (brackets inside strings ignored). */
function jsonListsIn(text: string): string[] {
  const spans: string[] = [];
  for (let start = text.indexOf('['); start !== -1; start = text.indexOf('[', start + 1)) {
    const end = closingBracket(text, start);
    if (end !== -1) spans.push(text.slice(start, end + 1));
  }
  return spans;
}

function closingBracket(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}

const short = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
