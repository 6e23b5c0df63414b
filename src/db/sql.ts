// The SQL template tag of every statement run through sql-runner.ts: Prisma's own (Prisma.sql), from
// its small runtime-utils package instead of the generated client, so that a worker thread running
// statements on a connection of its own (exports, metrics) never loads the client (~15 MB of RSS
// per thread; BENCHMARKS.md, exports). Its Sql class is not the generated client's: a statement
// for prisma.$queryRaw is its own tagged template (prisma.$queryRaw`…`), and fragments of the two never nest.
export { empty, join, raw, Sql, sql } from '@prisma/client-runtime-utils';
