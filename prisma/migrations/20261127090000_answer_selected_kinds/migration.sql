-- AlterTable: each answer's selected kinds as bits (OPTION_KINDS order: generated 1, category 2,
-- category_topic 4, control 8, control_topic 16, other 32), filled for the answers already stored.
ALTER TABLE "answers" ADD COLUMN     "selected_kinds" SMALLINT;

UPDATE "answers" a SET "selected_kinds" = (
  SELECT coalesce(bit_or(CASE o."kind" WHEN 'generated' THEN 1 WHEN 'category' THEN 2 WHEN 'category_topic' THEN 4
                                       WHEN 'control' THEN 8 WHEN 'control_topic' THEN 16 ELSE 32 END), 0)::smallint
  FROM "task_options" o WHERE o."id" = ANY(a."selected_option_ids"));

ALTER TABLE "answers" ALTER COLUMN "selected_kinds" SET NOT NULL;
