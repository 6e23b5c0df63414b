// Responses and prompts are shown as Markdown with raw HTML disabled: code blocks and lists render,
// while any <script>, <img onerror> or javascript: link in the data stays inert text.
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });

// Links open outside the survey tab and never carry the survey page as referrer.
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]?.attrSet('rel', 'noopener noreferrer nofollow');
  tokens[idx]?.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** HTML for a prompt or response; safe to embed with <%- %>. */
export function renderUntrustedMarkdown(text: string): string {
  return markdown.render(keepIndentation(text));
}

const FENCE = /^\s*(`{3,}|~{3,})/;
const LIST_ITEM = /^([-*+]|\d{1,9}[.)])(\s|$)/;
/** Lines Markdown reads as blocks even when indented a little: headings, quotes, tables, rules. */
const BLOCK_START = /^([#>|=]|[-*_](\s*[-*_]){2,}\s*$)/;

/**
 * Plain text pasted without code fences (an arena prompt with a Java method) keeps its indentation:
 * Markdown strips the leading spaces of a paragraph's lines, so those become no-break spaces. Only
 * plain paragraph lines change: fenced and indented code, lists (with everything indented under
 * them), headings, quotes, tables and rules are left for Markdown to read as it always did.
 */
export function keepIndentation(text: string): string {
  let fence: string | null = null;
  let previousBlank = true;
  let inIndentedCode = false;
  let inList = false;
  return text
    .split('\n')
    .map((line) => {
      const opened = FENCE.exec(line)?.[1];
      if (fence !== null) {
        if (opened && opened[0] === fence[0] && opened.length >= fence.length) fence = null;
        return line;
      }
      if (opened) {
        fence = opened;
        return line;
      }
      const blank = line.trim() === '';
      const lead = /^[ \t]+/.exec(line)?.[0] ?? '';
      const content = line.slice(lead.length);
      const width = lead.replace(/\t/g, '    ').length;
      const wasBlank = previousBlank;
      previousBlank = blank;
      if (blank) return line;
      // A list goes on through blank lines and indented lines; a line at the margin that is no item ends it.
      if (LIST_ITEM.test(content)) inList = true;
      else if (lead === '') inList = false;
      // An indented code block starts after a blank line; its lines keep their spaces as code.
      inIndentedCode = width >= 4 && (wasBlank || inIndentedCode);
      if (lead === '' || inList || inIndentedCode || BLOCK_START.test(content)) return line;
      return '\u00a0'.repeat(width) + content;
    })
    .join('\n');
}
