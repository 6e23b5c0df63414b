-- AlterTable
ALTER TABLE "assignments" ADD COLUMN     "preferred_first" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "preview_key" TEXT NOT NULL;

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "started_at" TIMESTAMP(3);
