-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "evaluator" TEXT NOT NULL DEFAULT 'human';
