-- A datapoint's preference annotations move into a jsonb column of the datapoint, in file order:
-- [{"category": …, "granular": [phrases]}]. They are always read and written with their
-- datapoint, and one COPY of datapoints costs PostgreSQL half what a second table with a
-- foreign-key check per annotation did (scripts/bench/import.ts).

-- AlterTable
ALTER TABLE "datapoints" ADD COLUMN     "preferences" JSONB;

-- Existing annotations, in their positions.
UPDATE "datapoints" d SET "preferences" = coalesce(
  (SELECT jsonb_agg(jsonb_build_object('category', a."category", 'granular', to_jsonb(a."granular")) ORDER BY a."position")
   FROM "preference_annotations" a WHERE a."datapoint_id" = d."id"),
  '[]'::jsonb);

ALTER TABLE "datapoints" ALTER COLUMN "preferences" SET NOT NULL;

-- No query looks datapoints up by topic (tasks carry their own topic): the index only cost imports.
DROP INDEX "datapoints_dataset_id_topic_category_idx";

-- DropForeignKey
ALTER TABLE "preference_annotations" DROP CONSTRAINT "preference_annotations_datapoint_id_fkey";

-- DropTable
DROP TABLE "preference_annotations";
