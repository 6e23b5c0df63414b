// The baseline of the rater-load benchmark: a bare express + pg app doing the least a survey can do
// (one SELECT for the page, one INSERT for the answer, a pool of 10), run as its own process.
// Plain JavaScript, so it runs without a loader as the compiled PrefBasis server does.
// Usage: DATABASE_URL=… PORT=… node scripts/bench/lib/bare-app.mjs
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => {});
await pool.query('CREATE TABLE IF NOT EXISTS bare_answers (id bigserial PRIMARY KEY, rater text NOT NULL, position int NOT NULL, selected text[] NOT NULL, UNIQUE (rater, position))');
const app = express();
const form = express.urlencoded({ extended: false });
const escape = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// The same request pattern as the real flow: entry and form posts redirect to the page.
app.get('/s/:batch', (req, res) => {
  res.setHeader('Set-Cookie', `r=${String(req.query.PROLIFIC_PID)}; Path=/`);
  res.redirect(303, `/s/${req.params.batch}/session`);
});
app.get('/s/:batch/session', async (req, res) => {
  const rater = /r=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
  const { rows } = await pool.query(
    'SELECT d.prompt, d.response_a, d.response_b, (SELECT count(*) FROM bare_answers WHERE rater = $1)::int AS n FROM datapoints d WHERE d.dataset_id = $2 AND d.line_number = (hashtext($1) & 8191) + 1',
    [rater, process.env.BARE_DATASET_ID],
  );
  const row = rows[0] ?? { prompt: '', response_a: '', response_b: '', n: 0 };
  res.send(`<!doctype html><form method="post" action="answer"><input type="hidden" name="position" value="${row.n}"><p>${escape(row.prompt)}</p><p>${escape(row.response_a)}</p><p>${escape(row.response_b)}</p><button>Next</button></form>`);
});
app.post(['/s/:batch/consent', '/s/:batch/start'], form, (req, res) => res.redirect(303, `/s/${req.params.batch}/session`));
app.post('/s/:batch/answer', form, async (req, res) => {
  const rater = /r=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
  await pool.query('INSERT INTO bare_answers (rater, position, selected) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [rater, Number(req.body.position), [String(req.body.option)]]);
  res.redirect(303, `/s/${req.params.batch}/session`);
});
app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('PrefBasis is running (bare baseline)'));
