-- CreateEnum
CREATE TYPE "CategoryDraw" AS ENUM ('uniform', 'usable');

-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "category_draw" "CategoryDraw" NOT NULL DEFAULT 'uniform';

