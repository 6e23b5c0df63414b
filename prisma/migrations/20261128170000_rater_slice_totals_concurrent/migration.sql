-- rater_slice_totals' recounts (answers updated or deleted, a task respelled) beside raters who
-- are submitting: a recount saw only committed answers, so an answer being written at the same
-- time kept its old spelling's row (the table then disagreed with the answers) or made the
-- recount's insert fail on its new row. A recount now first takes a SHARE lock on answers: it waits
-- for the transactions writing answers to end, and new answers wait for the recount's transaction.
-- Nothing in PrefBasis updates or deletes answers or respells tasks (SQL by hand does).
-- The recount also names the participants as an array, so PostgreSQL counts only their answers
-- (an IN (subquery) made it group every answer first).

CREATE OR REPLACE FUNCTION "rater_slice_totals_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  participant_ids TEXT[];
BEGIN
  LOCK TABLE "answers" IN SHARE MODE;
  IF TG_OP = 'UPDATE' THEN
    participant_ids := ARRAY(SELECT "participant_id" FROM "old_answers" UNION SELECT "participant_id" FROM "new_answers");
  ELSE
    participant_ids := ARRAY(SELECT DISTINCT "participant_id" FROM "old_answers");
  END IF;
  DELETE FROM "rater_slice_totals" WHERE "participant_id" = ANY(participant_ids);
  INSERT INTO "rater_slice_totals" SELECT * FROM "rater_slice_totals_counted" WHERE "participant_id" = ANY(participant_ids);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "rater_slice_totals_task_respelled"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  participant_ids TEXT[];
BEGIN
  LOCK TABLE "answers" IN SHARE MODE;
  participant_ids := ARRAY(SELECT "participant_id" FROM "answers" WHERE "task_id" = NEW."id");
  DELETE FROM "rater_slice_totals" WHERE "participant_id" = ANY(participant_ids);
  INSERT INTO "rater_slice_totals" SELECT * FROM "rater_slice_totals_counted" WHERE "participant_id" = ANY(participant_ids);
  RETURN NULL;
END $$;
