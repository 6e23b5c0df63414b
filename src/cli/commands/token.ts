// prefbasis token create --name NAME [--email E]: prints a new API token once.
import { findAccountByEmail } from '../../db/accounts.js';
import { createApiToken } from '../../db/api-tokens.js';
import { CLI_ACTOR } from '../../db/audit.js';
import { CliError, type CliContext } from '../context.js';

export async function tokenCreateCommand(ctx: CliContext, name: string, email?: string): Promise<void> {
  const account = email ? await findAccountByEmail(ctx.db.prisma, email) : null;
  if (email && !account) throw new CliError(`No account with email ${email}; create it with \`prefbasis admin create\`.`);
  const { token, row } = await createApiToken(ctx.db.prisma, { name, accountId: account?.id ?? null }, CLI_ACTOR);
  ctx.err(`Created API token "${row.name}" (${row.id}, role ${row.role}). It is shown only now; store it safely:`);
  ctx.out(token);
}
