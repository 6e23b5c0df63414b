// parseForm: a posted console form against its schema, with each field's problem and what was typed.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseForm, typedValues } from '../../src/web/forms.js';

const schema = z.object({ name: z.string().min(1, 'Give it a name.'), count: z.coerce.number().int().min(1, 'At least one.') }).refine((v) => v.name !== 'x' || v.count > 2, 'x needs three or more.');

describe('parseForm', () => {
  it('gives the parsed data when the form fits', () => {
    expect(parseForm(schema, { name: 'a', count: '4' })).toEqual({ ok: true, data: { name: 'a', count: 4 } });
  });

  it('gives the first problem of each field, keyed by field, and the typed strings back', () => {
    const result = parseForm(schema, { name: '', count: '0', extra: ['not', 'a', 'string'] });
    expect(result).toEqual({ ok: false, errors: { name: 'Give it a name.', count: 'At least one.' }, values: { name: '', count: '0' } });
  });

  it('keys a problem of the whole form as `form`', () => {
    expect(parseForm(schema, { name: 'x', count: '1' })).toMatchObject({ ok: false, errors: { form: 'x needs three or more.' } });
  });

  it('reads no values from a body that is not an object', () => {
    expect(typedValues(undefined)).toEqual({});
    expect(parseForm(schema, 'name=a')).toMatchObject({ ok: false, values: {} });
  });
});
