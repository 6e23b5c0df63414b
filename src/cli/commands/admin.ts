// prefbasis admin create --email E [--role admin|researcher]: the first console account.
// The password is read from standard input (piped) or asked for twice without echo (terminal).
import { createInterface } from 'node:readline';
import { createAccount, MIN_PASSWORD_LENGTH, type Role } from '../../db/accounts.js';
import { CLI_ACTOR } from '../../db/audit.js';
import { CliError, type CliContext } from '../context.js';

export async function adminCreateCommand(ctx: CliContext, email: string, role: Role): Promise<void> {
  const password = process.stdin.isTTY ? await askTwice() : (await readAll(process.stdin)).replace(/\r?\n$/, '');
  if (password.length < MIN_PASSWORD_LENGTH) throw new CliError(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  const created = await createAccount(ctx.db.prisma, { email, password, role }, CLI_ACTOR);
  if (!created.ok) throw new CliError(`An account with email ${email} already exists.`);
  ctx.out(`Created ${role} account ${created.account.email}. Sign in at /console/sign-in.`);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

async function askTwice(): Promise<string> {
  const first = await askHidden('Password: ');
  const second = await askHidden('Repeat password: ');
  if (first !== second) throw new CliError('The two passwords differ.');
  return first;
}

/** Prompts on the terminal without echoing what is typed. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    output._writeToOutput = (s: string) => {
      if (s.includes(prompt)) process.stdout.write(prompt);
    };
    rl.question(prompt, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
