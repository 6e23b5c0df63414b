// A secret read from the terminal without echo (asked twice), or from standard input when piped.
import { createInterface } from 'node:readline';
import { CliError } from './context.js';

export async function readSecretFromStdin(): Promise<string> {
  return process.stdin.isTTY ? askTwice() : (await readAll(process.stdin)).replace(/\r?\n$/, '');
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
