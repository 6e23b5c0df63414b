// prefbasis token create --name NAME: prints a new API token once.
import { createApiToken } from '../../db/api-tokens.js';
import type { CliContext } from '../context.js';

export async function tokenCreateCommand(ctx: CliContext, name: string): Promise<void> {
  const { token, row } = await createApiToken(ctx.db.prisma, name);
  ctx.err(`Created API token "${row.name}" (${row.id}). It is shown only now; store it safely:`);
  ctx.out(token);
}
