-- CreateTable
CREATE TABLE "llm_runs" (
    "participant_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "repeat" INTEGER NOT NULL,
    "base_url" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "llm_runs_pkey" PRIMARY KEY ("participant_id")
);

-- CreateTable
CREATE TABLE "llm_failures" (
    "participant_id" TEXT NOT NULL,
    "task_id" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "replied" BOOLEAN NOT NULL,
    "problem" TEXT NOT NULL,
    "raw_reply" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "llm_failures_pkey" PRIMARY KEY ("participant_id","task_id")
);

-- AddForeignKey
ALTER TABLE "llm_runs" ADD CONSTRAINT "llm_runs_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "llm_failures" ADD CONSTRAINT "llm_failures_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "llm_failures" ADD CONSTRAINT "llm_failures_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

