-- CreateTable
CREATE TABLE "evaluation_jobs" (
    "id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "base_url" TEXT,
    "api_key_env" TEXT NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "repeats" INTEGER NOT NULL,
    "task_limit" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "done" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "claimed_by" TEXT,
    "heartbeat_at" TIMESTAMP(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "evaluation_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "evaluation_jobs_status_heartbeat_at_idx" ON "evaluation_jobs"("status", "heartbeat_at");

-- CreateIndex
CREATE INDEX "evaluation_jobs_batch_id_created_at_idx" ON "evaluation_jobs"("batch_id", "created_at");

-- AddForeignKey
ALTER TABLE "evaluation_jobs" ADD CONSTRAINT "evaluation_jobs_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

