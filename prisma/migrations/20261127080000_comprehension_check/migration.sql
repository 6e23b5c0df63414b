-- AlterEnum
ALTER TYPE "ParticipantStatus" ADD VALUE 'failed_comprehension';

-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "comprehension_check" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "comprehension_passed_at" TIMESTAMP(3),
ADD COLUMN     "comprehension_tries" INTEGER NOT NULL DEFAULT 0;

