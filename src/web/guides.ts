// The guides in docs/ (our own Markdown) as HTML for the console, read once per process.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { PROJECT_ROOT } from '../paths.js';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
const rendered = new Map<string, Promise<string>>();

export function renderGuide(name: 'metrics' | 'deploy'): Promise<string> {
  let html = rendered.get(name);
  if (!html) {
    html = readFile(path.join(PROJECT_ROOT, 'docs', `${name}.md`), 'utf8').then((text) => markdown.render(text));
    rendered.set(name, html);
  }
  return html;
}
