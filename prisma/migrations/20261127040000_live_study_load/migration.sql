-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "places_taken" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "draw_key" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "load" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "rate_limit_hits" (
    "key" TEXT NOT NULL,
    "hits" INTEGER NOT NULL,
    "reset_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rate_limit_hits_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "app_secrets" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_secrets_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "tasks_batch_id_load_draw_key_idx" ON "tasks"("batch_id", "load", "draw_key");


-- Backfill: places held today (consenting, active, completed).
UPDATE "batches" b SET "places_taken" = (
    SELECT count(*) FROM "participants" p
    WHERE p."batch_id" = b."id" AND p."status" IN ('consenting', 'active', 'completed')
);

-- Backfill: a task's load is its assignments to place holders plus the answers kept from raters who left.
UPDATE "tasks" t SET "load" = (
    SELECT count(*) FROM "assignments" a JOIN "participants" p ON p."id" = a."participant_id"
    WHERE a."task_id" = t."id" AND p."status" IN ('consenting', 'active', 'completed')
) + (
    SELECT count(*) FROM "answers" x JOIN "participants" p ON p."id" = x."participant_id"
    WHERE x."task_id" = t."id" AND p."status" NOT IN ('consenting', 'active', 'completed')
), "draw_key" = random();

-- Prolific ids are compared case-insensitively from now on: store them in lower case (where no
-- other participant of the batch already holds the lower-case spelling).
UPDATE "participants" p SET "prolific_pid" = lower(p."prolific_pid")
WHERE p."prolific_pid" <> lower(p."prolific_pid")
  AND NOT EXISTS (
    SELECT 1 FROM "participants" q WHERE q."batch_id" = p."batch_id" AND q."prolific_pid" = lower(p."prolific_pid")
  );
