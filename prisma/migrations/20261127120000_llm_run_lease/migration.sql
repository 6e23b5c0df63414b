-- AlterTable
ALTER TABLE "llm_runs" ADD COLUMN     "lease_owner" TEXT,
ADD COLUMN     "lease_until" TIMESTAMP(3);

