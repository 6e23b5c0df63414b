-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Winner" AS ENUM ('model_a', 'model_b');

-- CreateEnum
CREATE TYPE "BatchStatus" AS ENUM ('draft', 'open', 'closed');

-- CreateEnum
CREATE TYPE "PreferredSide" AS ENUM ('first', 'random');

-- CreateEnum
CREATE TYPE "OptionKind" AS ENUM ('generated', 'category', 'category_topic', 'control', 'control_topic', 'other');

-- CreateEnum
CREATE TYPE "ParticipantStatus" AS ENUM ('consenting', 'declined', 'active', 'completed', 'returned');

-- CreateTable
CREATE TABLE "datasets" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "datapoint_count" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "datapoints" (
    "id" TEXT NOT NULL,
    "dataset_id" TEXT NOT NULL,
    "line_number" INTEGER NOT NULL,
    "source_id" TEXT NOT NULL,
    "source" TEXT,
    "prompt" TEXT NOT NULL,
    "response_a" TEXT NOT NULL,
    "response_b" TEXT NOT NULL,
    "model_a" TEXT NOT NULL,
    "model_b" TEXT NOT NULL,
    "winner" "Winner" NOT NULL,
    "topic_category" TEXT NOT NULL,
    "topic" TEXT,
    "truncated" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "datapoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "preference_annotations" (
    "id" TEXT NOT NULL,
    "datapoint_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "category" TEXT NOT NULL,
    "granular" TEXT[],

    CONSTRAINT "preference_annotations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batches" (
    "id" TEXT NOT NULL,
    "dataset_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "BatchStatus" NOT NULL DEFAULT 'draft',
    "questions_per_rater" INTEGER NOT NULL,
    "target_raters" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "completion_code" TEXT NOT NULL,
    "ratings_per_task" INTEGER,
    "preferred_side" "PreferredSide" NOT NULL DEFAULT 'first',
    "generation_report" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "opened_at" TIMESTAMP(3),
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "datapoint_id" TEXT NOT NULL,
    "sampled_category" TEXT NOT NULL,
    "topic_category" TEXT NOT NULL,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "task_options" (
    "id" TEXT NOT NULL,
    "task_id" TEXT NOT NULL,
    "kind" "OptionKind" NOT NULL,
    "text" TEXT NOT NULL,
    "source_datapoint_id" TEXT,

    CONSTRAINT "task_options_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "participants" (
    "id" TEXT NOT NULL,
    "batch_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "prolific_pid" TEXT NOT NULL,
    "study_id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "status" "ParticipantStatus" NOT NULL DEFAULT 'consenting',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "consented_at" TIMESTAMP(3),
    "declined_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "participants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignments" (
    "participant_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "task_id" TEXT NOT NULL,
    "option_order" TEXT[],
    "shown_at" TIMESTAMP(3),

    CONSTRAINT "assignments_pkey" PRIMARY KEY ("participant_id","position")
);

-- CreateTable
CREATE TABLE "answers" (
    "id" TEXT NOT NULL,
    "participant_id" TEXT NOT NULL,
    "task_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "selected_option_ids" TEXT[],
    "option_order" TEXT[],
    "shown_at" TIMESTAMP(3) NOT NULL,
    "answered_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "answers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "datasets_name_key" ON "datasets"("name");

-- CreateIndex
CREATE UNIQUE INDEX "datasets_content_hash_key" ON "datasets"("content_hash");

-- CreateIndex
CREATE INDEX "datapoints_dataset_id_topic_category_idx" ON "datapoints"("dataset_id", "topic_category");

-- CreateIndex
CREATE UNIQUE INDEX "datapoints_dataset_id_source_id_key" ON "datapoints"("dataset_id", "source_id");

-- CreateIndex
CREATE UNIQUE INDEX "datapoints_dataset_id_line_number_key" ON "datapoints"("dataset_id", "line_number");

-- CreateIndex
CREATE UNIQUE INDEX "preference_annotations_datapoint_id_position_key" ON "preference_annotations"("datapoint_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "preference_annotations_datapoint_id_category_key" ON "preference_annotations"("datapoint_id", "category");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "batches_name_key" ON "batches"("name");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_batch_id_position_key" ON "tasks"("batch_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "tasks_batch_id_datapoint_id_key" ON "tasks"("batch_id", "datapoint_id");

-- CreateIndex
CREATE UNIQUE INDEX "task_options_task_id_kind_key" ON "task_options"("task_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "participants_code_key" ON "participants"("code");

-- CreateIndex
CREATE UNIQUE INDEX "participants_batch_id_prolific_pid_key" ON "participants"("batch_id", "prolific_pid");

-- CreateIndex
CREATE UNIQUE INDEX "assignments_participant_id_task_id_key" ON "assignments"("participant_id", "task_id");

-- CreateIndex
CREATE UNIQUE INDEX "answers_participant_id_task_id_key" ON "answers"("participant_id", "task_id");

-- CreateIndex
CREATE UNIQUE INDEX "answers_participant_id_position_key" ON "answers"("participant_id", "position");

-- AddForeignKey
ALTER TABLE "datapoints" ADD CONSTRAINT "datapoints_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "preference_annotations" ADD CONSTRAINT "preference_annotations_datapoint_id_fkey" FOREIGN KEY ("datapoint_id") REFERENCES "datapoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "batches" ADD CONSTRAINT "batches_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_datapoint_id_fkey" FOREIGN KEY ("datapoint_id") REFERENCES "datapoints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_options" ADD CONSTRAINT "task_options_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "participants" ADD CONSTRAINT "participants_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "answers" ADD CONSTRAINT "answers_participant_id_fkey" FOREIGN KEY ("participant_id") REFERENCES "participants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "answers" ADD CONSTRAINT "answers_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
