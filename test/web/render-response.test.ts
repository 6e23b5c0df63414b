// Prompts and responses as raters read them: Markdown, with plain text's indentation kept.
import { describe, expect, it } from 'vitest';
import { keepIndentation, renderUntrustedMarkdown } from '../../src/web/render-response.js';

const NBSP = '\u00a0';

describe('rendering untrusted text', () => {
  it('keeps the indentation of code pasted without fences', () => {
    const java = 'Revise this Java method:\npublic int sum(int[] xs) {\n    int total = 0;\n    for (int x : xs) {\n\ttotal += x;\n    }\n    return total;\n}';
    const html = renderUntrustedMarkdown(java);
    expect(html).toContain(`<br>\n${NBSP.repeat(4)}int total = 0;<br>`);
    expect(html).toContain(`<br>\n${NBSP.repeat(4)}total += x;<br>`);
  });

  it('leaves fenced and indented code, lists and plain lines as Markdown reads them', () => {
    const fenced = '```python\ndef f():\n    return 1\n```';
    expect(keepIndentation(fenced)).toBe(fenced);
    expect(renderUntrustedMarkdown(fenced)).toContain('<pre><code class="language-python">def f():\n    return 1\n</code></pre>');
    const indented = 'Text\n\n    code line\n        deeper';
    expect(keepIndentation(indented)).toBe(indented);
    const list = '- one\n  - nested\n- two';
    expect(keepIndentation(list)).toBe(list);
    expect(renderUntrustedMarkdown(list)).toMatch(/<ul>\n<li>one\n<ul>\n<li>nested<\/li>/);
    expect(keepIndentation('no indent\nat all')).toBe('no indent\nat all');
  });

  it('leaves alone what Markdown reads as blocks: fences inside list items, list continuations, quotes, headings, tables, rules', () => {
    for (const text of [
      '1. Install:\n\n    ```sh\n    npm ci\n    ```\n2. Run it',
      '1. a\n\n   more about a\n\n2. b',
      '  > a quote',
      '  ## A heading',
      '  | a | b |\n  |---|---|\n  | 1 | 2 |',
      '  ---',
      'Title\n  ===',
    ]) expect(keepIndentation(text), text).toBe(text);
    expect(renderUntrustedMarkdown('1. Install:\n\n    ```sh\n    npm ci\n    ```\n2. Run it')).toContain('<code class="language-sh">npm ci');
    expect(renderUntrustedMarkdown('1. a\n\n   more about a\n\n2. b')).toMatch(/^<ol>[\s\S]*<\/ol>\n$/);
  });

  it('still renders raw HTML as text', () => {
    expect(renderUntrustedMarkdown('  <script>alert(1)</script>')).toContain('&lt;script&gt;');
  });
});
