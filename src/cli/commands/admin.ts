// prefbasis admin create --email E [--role admin|researcher]: the first console account.
// The password comes from the CLI's io (standard input piped, or asked twice without echo).
import { createAccount, MIN_PASSWORD_LENGTH, type Role } from '../../db/accounts.js';
import { CLI_ACTOR } from '../../db/audit.js';
import { CliError, type CliContext } from '../context.js';

export async function adminCreateCommand(ctx: CliContext, email: string, role: Role): Promise<void> {
  const password = await ctx.readSecret();
  if (password.length < MIN_PASSWORD_LENGTH) throw new CliError(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  const created = await createAccount(ctx.db.prisma, { email, password, role }, CLI_ACTOR);
  if (!created.ok) throw new CliError(`An account with email ${email} already exists.`);
  ctx.out(`Created ${role} account ${created.account.email}. Sign in at /console/sign-in.`);
}
