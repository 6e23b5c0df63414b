-- Per participant, per topic and per sampled category: answers and, per option kind (bit i of
-- answers.selected_kinds, core OPTION_KINDS order), answers that selected it. Metrics by topic or
-- category read these rows (a row per participant and topic) instead of grouping every answer
-- with its task (1,000,000 answers: ~1.5 s of PostgreSQL time per computation; BENCHMARKS.md).
-- Kept by the statement-level triggers below, in the statement that writes the answers, so that
-- nothing that writes answers (a rater's submit, an LLM run, SQL) can forget them.

-- CreateTable
CREATE TABLE "rater_slice_totals" (
    "batch_id" TEXT NOT NULL,
    "slice" TEXT NOT NULL,
    "participant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "answers" INTEGER NOT NULL,
    "k0" INTEGER NOT NULL,
    "k1" INTEGER NOT NULL,
    "k2" INTEGER NOT NULL,
    "k3" INTEGER NOT NULL,
    "k4" INTEGER NOT NULL,
    "k5" INTEGER NOT NULL,
    "last_answered_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rater_slice_totals_pkey" PRIMARY KEY ("batch_id","slice","participant_id","name")
);

-- The rows as counted from the answers (what the triggers keep the table equal to).
CREATE VIEW "rater_slice_totals_counted" AS
SELECT t."batch_id", s."slice", a."participant_id", s."name", count(*)::int AS "answers",
       sum(a."selected_kinds" & 1)::int AS "k0", sum((a."selected_kinds" >> 1) & 1)::int AS "k1", sum((a."selected_kinds" >> 2) & 1)::int AS "k2",
       sum((a."selected_kinds" >> 3) & 1)::int AS "k3", sum((a."selected_kinds" >> 4) & 1)::int AS "k4", sum((a."selected_kinds" >> 5) & 1)::int AS "k5",
       max(a."answered_at") AS "last_answered_at"
FROM "answers" a JOIN "tasks" t ON t."id" = a."task_id"
CROSS JOIN LATERAL (VALUES ('topic', t."topic_category"), ('category', t."sampled_category")) AS s("slice", "name")
GROUP BY 1, 2, 3, 4;

-- New answers are added to their rows (the hot path: a rater's submit inserts one answer).
CREATE FUNCTION "rater_slice_totals_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "rater_slice_totals" AS r
  SELECT t."batch_id", s."slice", n."participant_id", s."name", count(*)::int,
         sum(n."selected_kinds" & 1)::int, sum((n."selected_kinds" >> 1) & 1)::int, sum((n."selected_kinds" >> 2) & 1)::int,
         sum((n."selected_kinds" >> 3) & 1)::int, sum((n."selected_kinds" >> 4) & 1)::int, sum((n."selected_kinds" >> 5) & 1)::int,
         max(n."answered_at")
  FROM "new_answers" n JOIN "tasks" t ON t."id" = n."task_id"
  CROSS JOIN LATERAL (VALUES ('topic', t."topic_category"), ('category', t."sampled_category")) AS s("slice", "name")
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ("batch_id", "slice", "participant_id", "name") DO UPDATE SET
    "answers" = r."answers" + excluded."answers",
    "k0" = r."k0" + excluded."k0", "k1" = r."k1" + excluded."k1", "k2" = r."k2" + excluded."k2",
    "k3" = r."k3" + excluded."k3", "k4" = r."k4" + excluded."k4", "k5" = r."k5" + excluded."k5",
    "last_answered_at" = greatest(r."last_answered_at", excluded."last_answered_at");
  RETURN NULL;
END $$;

-- Answers changed or deleted (nothing in PrefBasis does either; SQL by hand, a cascade): their
-- participants' rows are counted again.
CREATE FUNCTION "rater_slice_totals_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM "rater_slice_totals" WHERE "participant_id" IN (SELECT "participant_id" FROM "old_answers" UNION SELECT "participant_id" FROM "new_answers");
    INSERT INTO "rater_slice_totals" SELECT * FROM "rater_slice_totals_counted"
      WHERE "participant_id" IN (SELECT "participant_id" FROM "old_answers" UNION SELECT "participant_id" FROM "new_answers");
  ELSE
    DELETE FROM "rater_slice_totals" WHERE "participant_id" IN (SELECT "participant_id" FROM "old_answers");
    INSERT INTO "rater_slice_totals" SELECT * FROM "rater_slice_totals_counted" WHERE "participant_id" IN (SELECT "participant_id" FROM "old_answers");
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION "rater_slice_totals_cleared"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "rater_slice_totals";
  RETURN NULL;
END $$;

-- A task's topic or category respelled (batches freeze their tasks: only SQL by hand does this):
-- the rows of the participants who answered it are counted again. Only for these columns, so the
-- task loads updated while raters enter never fire it.
CREATE FUNCTION "rater_slice_totals_task_respelled"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "rater_slice_totals" WHERE "participant_id" IN (SELECT "participant_id" FROM "answers" WHERE "task_id" = NEW."id");
  INSERT INTO "rater_slice_totals" SELECT * FROM "rater_slice_totals_counted"
    WHERE "participant_id" IN (SELECT "participant_id" FROM "answers" WHERE "task_id" = NEW."id");
  RETURN NULL;
END $$;

CREATE TRIGGER "tasks_slice_totals_respelled" AFTER UPDATE OF "topic_category", "sampled_category", "batch_id" ON "tasks"
  FOR EACH ROW WHEN (OLD."topic_category" IS DISTINCT FROM NEW."topic_category" OR OLD."sampled_category" IS DISTINCT FROM NEW."sampled_category"
                     OR OLD."batch_id" IS DISTINCT FROM NEW."batch_id")
  EXECUTE FUNCTION "rater_slice_totals_task_respelled"();
CREATE TRIGGER "answers_slice_totals_insert" AFTER INSERT ON "answers"
  REFERENCING NEW TABLE AS "new_answers" FOR EACH STATEMENT EXECUTE FUNCTION "rater_slice_totals_add"();
CREATE TRIGGER "answers_slice_totals_update" AFTER UPDATE ON "answers"
  REFERENCING OLD TABLE AS "old_answers" NEW TABLE AS "new_answers" FOR EACH STATEMENT EXECUTE FUNCTION "rater_slice_totals_changed"();
CREATE TRIGGER "answers_slice_totals_delete" AFTER DELETE ON "answers"
  REFERENCING OLD TABLE AS "old_answers" FOR EACH STATEMENT EXECUTE FUNCTION "rater_slice_totals_changed"();
CREATE TRIGGER "answers_slice_totals_truncate" AFTER TRUNCATE ON "answers"
  FOR EACH STATEMENT EXECUTE FUNCTION "rater_slice_totals_cleared"();

-- The answers already stored.
INSERT INTO "rater_slice_totals" SELECT * FROM "rater_slice_totals_counted";
