// The six option kinds of an MMC task (SPEC 2), in their canonical order G1..G5 + other.

export const OPTION_KINDS = ['generated', 'category', 'category_topic', 'control', 'control_topic', 'other'] as const;
export type OptionKind = (typeof OPTION_KINDS)[number];

/** The fixed text of the `other` option. */
export const OTHER_OPTION_TEXT = 'Other reason(s)';
