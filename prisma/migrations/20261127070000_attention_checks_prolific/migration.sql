-- AlterEnum
ALTER TYPE "ParticipantStatus" ADD VALUE 'rejected';

-- AlterTable
-- Batches created before checks existed keep none (their raters were promised no change);
-- new batches default to two (DECISIONS).
ALTER TABLE "batches" ADD COLUMN     "attention_checks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "exclude_failed_checks" INTEGER DEFAULT 2,
ADD COLUMN     "exclude_speeder_seconds" DOUBLE PRECISION,
ADD COLUMN     "exclude_straight_liner_percent" INTEGER,
ADD COLUMN     "prolific_study_id" TEXT;
ALTER TABLE "batches" ALTER COLUMN "attention_checks" SET DEFAULT 2;

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "prolific_status" TEXT,
ADD COLUMN     "prolific_synced_at" TIMESTAMP(3),
ADD COLUMN     "review_action" TEXT,
ADD COLUMN     "reviewed_at" TIMESTAMP(3),
ADD COLUMN     "session_unknown" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "attention_checks" (
    "id" TEXT NOT NULL,
    "participant_id" TEXT NOT NULL,
    "before_position" INTEGER NOT NULL,
    "source_task_id" TEXT NOT NULL,
    "option_order" TEXT[],
    "preferred_first" BOOLEAN NOT NULL,
    "target_option_id" TEXT NOT NULL,
    "wording" INTEGER NOT NULL,
    "shown_at" TIMESTAMP(3),
    "answered_at" TIMESTAMP(3),
    "selected_option_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "passed" BOOLEAN,

    CONSTRAINT "attention_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "attention_checks_participant_id_before_position_key" ON "attention_checks"("participant_id", "before_position");

-- AddForeignKey
ALTER TABLE "attention_checks" ADD CONSTRAINT "attention_checks_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attention_checks" ADD CONSTRAINT "attention_checks_source_task_id_fkey" FOREIGN KEY ("source_task_id") REFERENCES "tasks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

