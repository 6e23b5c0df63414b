// A local stand-in for an OpenAI-compatible chat-completions server (POST /v1/chat/completions):
// it records every request and answers as the test's script says (a reply, an HTTP error, or
// nothing at all, to test timeouts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  authorization: string | undefined;
}

export type ChatAnswer = { reply: string; delayMs?: number } | { status: number; headers?: Record<string, string> } | { hang: true };

export interface ChatStandIn {
  /** Base URL to give the client (…/v1). */
  url: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

/** `answer` decides each response from the request and how many requests came before it. */
export async function startChatStandIn(answer: (req: ChatRequest, index: number) => ChatAnswer): Promise<ChatStandIn> {
  const requests: ChatRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as { model: string; messages: { role: string; content: string }[] };
      const request = { model: parsed.model, messages: parsed.messages, authorization: req.headers.authorization };
      const outcome = answer(request, requests.length);
      requests.push(request);
      if ('hang' in outcome) {
        hanging.add(res);
        return;
      }
      if ('status' in outcome) {
        res.writeHead(outcome.status, { 'content-type': 'application/json', ...outcome.headers }).end(JSON.stringify({ error: { message: `stand-in ${outcome.status}` } }));
        return;
      }
      const reply = () => res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: 0,
          model: parsed.model,
          choices: [{ index: 0, message: { role: 'assistant', content: outcome.reply }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        }),
      );
      // A slow model: the reply after a while.
      if (outcome.delayMs) setTimeout(reply, outcome.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The six items a request's prompt lists, in order. */
export const listedIn = (req: Pick<ChatRequest, 'messages'>): string[] => [...(req.messages[0]?.content ?? '').matchAll(/^\d\. (.*)$/gm)].slice(0, 6).map((m) => m[1] as string);
/** The conversation's user prompt: which task a request is about. */
export const promptOf = (req: Pick<ChatRequest, 'messages'>): string => /^\[USER\]: ([\s\S]*?)\n\[ASSISTANT_A\]: /m.exec(req.messages[1]?.content ?? '')?.[1] ?? '';

/**
 * A model that "knows" each option's kind (from the test's database): its reply marks "yes" exactly
 * the listed items of `kinds`. `kindsByPrompt`: per task prompt, each option text's kind.
 */
export function replyMarking(kindsByPrompt: ReadonlyMap<string, ReadonlyMap<string, string>>, req: Pick<ChatRequest, 'messages'>, kinds: readonly string[]): string {
  const kindOf = (item: string) => kindsByPrompt.get(promptOf(req))?.get(item) ?? '';
  return '```json\n' + JSON.stringify(listedIn(req).map((p) => ({ preference: p, relevant: kinds.includes(kindOf(p)) ? 'yes' : 'no' }))) + '\n```';
}
