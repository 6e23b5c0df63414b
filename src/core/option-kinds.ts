// The six option kinds of an MMC task (SPEC 2), in their canonical order G1..G5 + other.

export const OPTION_KINDS = ['generated', 'category', 'category_topic', 'control', 'control_topic', 'other'] as const;
export type OptionKind = (typeof OPTION_KINDS)[number];

/** The kinds as a researcher says them (SPEC 2): for notes, pages and charts, never the code names. */
export const KIND_LABELS: Record<OptionKind, string> = {
  generated: "generated reason (the datapoint's own)",
  category: 'same-category reason',
  category_topic: 'same-category, same-topic reason',
  control: 'control reason (a category the datapoint lacks)',
  control_topic: 'same-topic control reason',
  other: '"Other reason(s)"',
};

/** The fixed text of the `other` option. */
export const OTHER_OPTION_TEXT = 'Other reason(s)';

/** A kind as one bit (generated = 1 … other = 32): an answer's selected kinds fit in a small integer. */
export const kindBit = (kind: OptionKind): number => 1 << OPTION_KINDS.indexOf(kind);

/** The kinds whose bits are set, in canonical order. */
export function kindsOfBits(bits: number): OptionKind[] {
  return OPTION_KINDS.filter((kind) => (bits & kindBit(kind)) !== 0);
}
