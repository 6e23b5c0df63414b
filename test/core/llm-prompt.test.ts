// The paper's Figure 8 prompt, word for word, for one task.
import { describe, expect, it } from 'vitest';
import { llmMessages } from '../../src/core/llm-prompt.js';

describe('llmMessages', () => {
  it('is Figure 8 with the five phrases in the run order, "other reason(s)" sixth, and the preferred response as ASSISTANT_B', () => {
    const messages = llmMessages({
      prompt: 'How do I boil an egg?',
      preferred: 'Put it in boiling water for 7 minutes.',
      other: 'Eggs are laid by hens.',
      phrases: ['Concise answer', 'Clarity of the steps', 'Uses humour', 'Friendly tone', 'Cites sources'],
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content: `You are presented with two versions of a conversation between a person ('USER') and an AI assistant (either 'ASSISTANT_A' or 'ASSISTANT_B').

'USER' preferred their interaction with ASSISTANT_B. Given this information, determine which of the following possible preferences factored into 'USER's selection:
1. Concise answer
2. Clarity of the steps
3. Uses humour
4. Friendly tone
5. Cites sources
6. other reason(s)

Output a JSON dictionary as: RETURN FORMAT: a list of entries, with each entry formatted as {"preference": <the_preference>, "relevant": <yes, no, or unsure>}. Precede the JSON dict with "\`\`\`json" and postcede it with "\`\`\`". Adhere to these rules:
1. Avoid bias--your analysis cannot be influenced by either the order of the responses or the assistant names.
2. Selecting 'yes' indicates high degree of certainty.`,
      },
      {
        role: 'user',
        content: `CONVERSATION:
<MESSAGE #1>
[USER]: How do I boil an egg?
[ASSISTANT_A]: Eggs are laid by hens.
[ASSISTANT_B]: Put it in boiling water for 7 minutes.
</MESSAGE #1>

As a reminder, please answer keeping in mind that 'USER' preferred their interaction with ASSISTANT_B.`,
      },
    ]);
  });
});
