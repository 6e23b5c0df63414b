// Prompts and responses of the synthetic dataset (demo, tests, benchmarks): realistic requests per
// topic and answers of varied length and shape (paragraphs, lists, steps, a code block), chosen by
// the datapoint's number, never by a random draw (the dataset's other draws stay as they were), and
// with no tells: no model names, no numbers the reasons could echo (issue 12.3).

const PROMPTS: Record<string, readonly string[]> = {
  'Engineering and Technology': ['How do I choose between a heat pump and a gas boiler for an old two-storey house?', 'Why does my bike chain keep slipping under load, and how can I fix it myself?'],
  'Arts and Humanities': ['Write a short poem about the first snow of the year.', 'What makes a painting "impressionist"? Explain it to someone who has never been to a gallery.'],
  'Computer Science / AI': ['Revise this Java method so it handles an empty list:\npublic int average(List<Integer> xs) {\n    int sum = 0;\n    for (int x : xs) sum += x;\n    return sum / xs.size();\n}', 'What is the difference between a process and a thread?'],
  Business: ['Draft a polite email asking a client to pay an invoice that is two weeks late.', 'How should a small bakery decide what to charge for a new product?'],
  'Social Sciences': ['Why do people in some countries trust their neighbours more than in others?', 'Explain what a survey sampling frame is and why it matters.'],
  'Language and Communication': ['How can I sound less blunt in work messages without being vague?', 'What is the difference between "affect" and "effect"?'],
  Health: ['I get headaches most afternoons at work. What could be causing them?', 'Is it better to stretch before or after running?'],
  'Writing and Literature': ['Give me feedback on this opening line: "The rain had opinions, and none of them were kind."', 'Summarise the plot of Pride and Prejudice without spoilers for the ending.'],
  Psychology: ['Why do I procrastinate on tasks I actually want to do?', 'What is the evidence that habits take 21 days to form?'],
  Philosophy: ['Is it wrong to break a promise if keeping it would hurt someone?', 'Explain the ship of Theseus puzzle and the main answers to it.'],
  'Career and Personal Development': ['How do I ask my manager for a raise after my first year?', 'Should I list a short job on my CV if I left after three months?'],
  Education: ['How can I help my ten-year-old enjoy reading?', 'Make a one-week study plan for a statistics exam.'],
  History: ['Why did the Roman Republic turn into an empire?', 'What caused the Dust Bowl in the 1930s?'],
  Politics: ['How does a parliamentary system differ from a presidential one?', 'What are the arguments for and against compulsory voting?'],
  'Natural Sciences': ['Why is the sky blue but sunsets are red?', 'How do vaccines train the immune system?'],
  'Culture and Society': ['Why do some cultures eat dinner late in the evening?', 'Tell me a light-hearted fact about office culture around the world.'],
  Sports: ['How should a beginner pace a first half marathon?', 'Explain the offside rule in football simply.'],
  'Leisure and Hobbies': ['What should I look for in a first beginner telescope?', 'Suggest a weekend project for someone starting woodworking.'],
  'General Knowledge': ['How are time zones decided?', 'Why do we have leap years?'],
  'Creativity / Innovation': ['Give me unusual ideas for a birthday party for a friend who likes maps.', 'How can a team come up with better ideas in brainstorming sessions?'],
  'Agriculture / Food': ['How do I keep basil alive on a kitchen windowsill?', 'What is a simple vegetarian dinner I can cook in twenty minutes?'],
};

const OPENINGS = [
  'Good question.',
  'Here is a short answer, then the details.',
  'It depends on a few things, but this is a good place to start.',
  'Sure.',
  'There are a couple of common reasons.',
  'The short version:',
];

const SENTENCES = [
  'Start with the simplest explanation and check it before moving on.',
  'Most people find that small, regular changes work better than one big change.',
  'If that does not help, the next thing to look at is the setting you are in.',
  'It is worth writing down what you try, so you can see what made a difference.',
  'Experts disagree on some of the details, but the overall picture is clear.',
  'A common mistake is to change several things at once.',
  'Cost matters too: the cheaper option is often good enough.',
  'Think about who will use the result and what they already know.',
  'Timing plays a bigger role than most people expect.',
  'When in doubt, ask someone who has done it before.',
  'The main trade-off is between speed and care.',
  'Keep the first attempt small so that mistakes are cheap.',
];

const LIST_ITEMS = [
  'check the basics first',
  'compare two or three options side by side',
  'set a clear goal before you begin',
  'keep notes as you go',
  'leave some time for the unexpected',
  'ask for feedback early',
  'review the result after a week',
];

const CODE = '```java\npublic double average(List<Integer> xs) {\n    if (xs == null || xs.isEmpty()) {\n        return 0.0;\n    }\n    long sum = 0;\n    for (int x : xs) {\n        sum += x;\n    }\n    return (double) sum / xs.size();\n}\n```';

/** A small deterministic mix of two integers (the datapoint and a salt): picks without random draws. */
function mix(i: number, salt: number): number {
  let h = Math.imul(i + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 0x27d4eb2f, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

const pickBy = <T>(items: readonly T[], i: number, salt: number): T => items[mix(i, salt) % items.length] as T;

export function syntheticPrompt(topic: string, i: number): string {
  const prompts = PROMPTS[topic] ?? PROMPTS['General Knowledge'] ?? ['How should I approach this?'];
  return pickBy(prompts, i, 1);
}

/** A response of one of five shapes and 1–8 sentences; `side` 0 or 1 makes the two of a pair differ. */
export function syntheticResponse(topic: string, i: number, side: 0 | 1): string {
  const salt = 10 + side;
  // One walk through the sentences per response, cut into parts: no sentence twice.
  const length = 1 + (mix(i, salt + 100) % 8);
  const walk = distinct(SENTENCES, length + 1, mix(i, salt * 31));
  const text = (from: number, to: number) => walk.slice(from, Math.max(from + 1, to)).join(' ');
  const items = (count: number, offset: number) => distinct(LIST_ITEMS, count, mix(i, salt * 7 + offset));
  const opening = pickBy(OPENINGS, i, salt + 200);
  const codeTopic = topic === 'Computer Science / AI' || topic === 'Engineering and Technology';
  switch (mix(i, salt + 300) % (codeTopic ? 5 : 4)) {
    case 0:
      return `${opening} ${text(0, length)}`;
    case 1:
      return `${opening}\n\n${text(0, Math.ceil(length / 2))}\n\n${text(Math.ceil(length / 2), length + 1)}`;
    case 2:
      return `${opening}\n\n${items(2 + (length % 4), 0).map((item) => `- ${item}`).join('\n')}\n\n${text(0, 1)}`;
    case 3:
      return `**${opening}**\n\n${items(3, 1).map((item, k) => `${k + 1}. ${capitalize(item)}.`).join('\n')}\n\n${text(0, length)}`;
    default:
      return `${opening} ${text(0, 1)}\n\n${CODE}\n\n${text(1, length)}`;
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `count` different items (at most all of them), walking the list from `start` in steps of 5 or 3 (coprime to its length). */
function distinct<T>(items: readonly T[], count: number, start: number): T[] {
  const step = items.length % 5 === 0 ? 3 : 5;
  return Array.from({ length: Math.min(count, items.length) }, (_, k) => items[(start + k * step) % items.length] as T);
}
