import { describe, expect, it } from 'vitest';
import { evaluationSettingsSchema } from '../../src/core/evaluation-settings.js';

describe('evaluationSettingsSchema', () => {
  it('fills defaults for JSON and for a console form\'s empty fields', () => {
    const defaults = { baseUrl: null, apiKeyEnv: 'OPENAI_API_KEY', concurrency: 8, repeats: 1, limit: null };
    expect(evaluationSettingsSchema.parse({ model: ' gpt-4o ' })).toEqual({ model: 'gpt-4o', ...defaults });
    expect(evaluationSettingsSchema.parse({ model: 'm', baseUrl: '', apiKeyEnv: '', concurrency: '', repeats: '', limit: '' })).toEqual({ model: 'm', ...defaults });
    expect(evaluationSettingsSchema.parse({ model: 'm', baseUrl: 'http://localhost:8000/v1', repeats: '2', limit: 10 })).toMatchObject({ baseUrl: 'http://localhost:8000/v1', repeats: 2, limit: 10 });
  });

  it('never lets a run read a variable that is not an API key (the server would send its value)', () => {
    for (const apiKeyEnv of ['DATABASE_URL', 'PREFBASIS_SECRET', 'PROLIFIC_API_TOKEN', 'openai_api_key', 'X_API_KEY; rm']) {
      expect(evaluationSettingsSchema.safeParse({ model: 'm', apiKeyEnv }).success).toBe(false);
    }
    expect(evaluationSettingsSchema.parse({ model: 'm', apiKeyEnv: 'OPENROUTER_API_KEY' }).apiKeyEnv).toBe('OPENROUTER_API_KEY');
  });
});
