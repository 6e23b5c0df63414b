-- AlterEnum
ALTER TYPE "ParticipantStatus" ADD VALUE 'timed_out';

-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "max_minutes" INTEGER NOT NULL DEFAULT 60;

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "timed_out_at" TIMESTAMP(3);

