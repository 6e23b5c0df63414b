// What the question template needs: never an option's kind, only its opaque id and text. Rendered
// task content is cached in the process: frozen tasks never change, and Markdown rendering is the
// costliest part of a question page.
import type { CurrentQuestion, TaskContent } from '../db/questions.js';
import { checkInstruction } from '../core/attention-checks.js';
import { renderUntrustedMarkdown } from './render-response.js';

export interface RenderedTaskContent {
  promptHtml: string;
  preferredHtml: string;
  otherHtml: string;
  options: Map<string, string>;
}

export function renderTaskContent(content: TaskContent): RenderedTaskContent {
  return {
    promptHtml: renderUntrustedMarkdown(content.prompt),
    preferredHtml: renderUntrustedMarkdown(content.preferred),
    otherHtml: renderUntrustedMarkdown(content.other),
    options: content.options,
  };
}

/** A bounded least-recently-used cache (Map keeps insertion order; a hit moves the key to the end). */
export class TaskContentCache {
  private readonly entries = new Map<string, RenderedTaskContent>();

  constructor(private readonly capacity = 5_000) {}

  async get(taskId: string, load: (taskId: string) => Promise<TaskContent> | TaskContent): Promise<RenderedTaskContent> {
    const hit = this.entries.get(taskId);
    if (hit) {
      this.entries.delete(taskId);
      this.entries.set(taskId, hit);
      return hit;
    }
    const rendered = renderTaskContent(await load(taskId));
    this.entries.set(taskId, rendered);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return rendered;
  }
}

/** The template's data for a question or an attention check (whose instruction replaces the question's text). */
export function questionView(q: Pick<CurrentQuestion, 'position' | 'number' | 'total' | 'optionOrder' | 'preferredFirst' | 'check'>, content: RenderedTaskContent) {
  const preferred = { label: 'preferred', html: content.preferredHtml };
  const other = { label: 'other', html: content.otherHtml };
  return {
    number: q.number,
    total: q.total,
    position: q.position,
    checkInstruction: q.check ? checkInstruction(q.check.wording, content.options.get(q.check.targetOptionId) ?? '') : null,
    promptHtml: content.promptHtml,
    responses: q.preferredFirst ? [preferred, other] : [other, preferred],
    preferredIndex: q.preferredFirst ? 1 : 2,
    options: q.optionOrder.map((id) => ({ id, text: content.options.get(id) ?? '' })),
  };
}
