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
  return markdown.render(text);
}
