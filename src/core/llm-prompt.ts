// The paper's prompt for LLM evaluators (Figure 8), word for word: the five phrases of a task and
// "other reason(s)" in the order planned for that run, the conversation with the preferred
// response as ASSISTANT_B. Nothing in it names an option's kind.

export interface LlmQuestion {
  prompt: string;
  /** The response the user preferred: always shown as ASSISTANT_B, as in the paper. */
  preferred: string;
  /** The other response: ASSISTANT_A. */
  other: string;
  /** The five phrases in the order this run shows them; "other reason(s)" is added as item 6. */
  phrases: readonly string[];
}

export const OTHER_REASONS = 'other reason(s)';

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/** The system and user messages of Figure 8 for one task. */
export function llmMessages(q: LlmQuestion): ChatMessage[] {
  const listed = [...q.phrases, OTHER_REASONS].map((p, i) => `${i + 1}. ${p}`).join('\n');
  const system = [
    "You are presented with two versions of a conversation between a person ('USER') and an AI assistant (either 'ASSISTANT_A' or 'ASSISTANT_B').",
    '',
    "'USER' preferred their interaction with ASSISTANT_B. Given this information, determine which of the following possible preferences factored into 'USER's selection:",
    listed,
    '',
    'Output a JSON dictionary as: RETURN FORMAT: a list of entries, with each entry formatted as {"preference": <the_preference>, "relevant": <yes, no, or unsure>}. Precede the JSON dict with "```json" and postcede it with "```". Adhere to these rules:',
    '1. Avoid bias--your analysis cannot be influenced by either the order of the responses or the assistant names.',
    "2. Selecting 'yes' indicates high degree of certainty.",
  ].join('\n');
  const user = [
    'CONVERSATION:',
    '<MESSAGE #1>',
    `[USER]: ${q.prompt}`,
    `[ASSISTANT_A]: ${q.other}`,
    `[ASSISTANT_B]: ${q.preferred}`,
    '</MESSAGE #1>',
    '',
    "As a reminder, please answer keeping in mind that 'USER' preferred their interaction with ASSISTANT_B.",
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

/** The seed key of a run's option order for a task: another model or repeat gets another order. */
export const llmOrderKey = (model: string, repeat: number, taskId: string): string => `llm:${model}#${repeat}:${taskId}`;
