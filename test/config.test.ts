// Settings read from the environment, and the start-up warning for production on plain http.
import { describe, expect, it } from 'vitest';
import { loadConfig, plainHttpWarning } from '../src/config.js';

describe('configuration', () => {
  it('warns when production mode would be served over plain http to other machines', () => {
    const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'production', ...env });
    expect(plainHttpWarning(config({ HOST: '0.0.0.0' }))).toMatch(/^NODE_ENV=production asks browsers .* listens on 0\.0\.0\.0 without PUBLIC_BASE_URL/);
    expect(plainHttpWarning(config({ HOST: '0.0.0.0', PUBLIC_BASE_URL: 'http://study.example.org' }))).toContain('PUBLIC_BASE_URL is http://study.example.org');
    expect(plainHttpWarning(config({ HOST: '0.0.0.0', PUBLIC_BASE_URL: 'https://study.example.org' }))).toBeNull();
    // On this machine only (a TLS proxy in front, or a developer trying it), nothing to say.
    expect(plainHttpWarning(config({ HOST: '127.0.0.1' }))).toBeNull();
    expect(plainHttpWarning(loadConfig({ HOST: '0.0.0.0' }))).toBeNull();
  });

  it('refuses a malformed setting with its name and what it must be', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: /);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
  });
});
