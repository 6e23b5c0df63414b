// Indexes of granular phrases by category and by (category, topic), built once per dataset, so
// that each of the candidate sets G1..G5 of SPEC 2 can be sampled uniformly in O(1) or O(#categories).
import { labelKey } from './normalize.js';

/** The datapoint fields task generation needs. Names are compared through labelKey. */
export interface AnnotatedDatapoint {
  id: string;
  topicCategory: string;
  preferences: readonly { category: string; granular: readonly string[] }[];
}

/** One granular phrase of one datapoint under one category. */
export interface PhraseEntry {
  datapointIndex: number;
  text: string;
}

/** A read-only view on a virtual list of entries. */
export interface PoolView {
  size: number;
  at(index: number): PhraseEntry;
}

export interface TaskPools {
  datapoints: readonly AnnotatedDatapoint[];
  /** Category keys, sorted: fixes the enumeration order of control pools. */
  categoryKeys: readonly string[];
  byCategory: ReadonlyMap<string, PhraseEntry[]>;
  byCategoryTopic: ReadonlyMap<string, PhraseEntry[]>;
  /** For each datapoint and category key, where its own entries sit in the two pools. */
  ownRanges: readonly ReadonlyMap<string, { category: [number, number]; categoryTopic: [number, number] }>[];
}

export function categoryTopicKey(categoryKey: string, topicKey: string): string {
  return `${categoryKey}\u0000${topicKey}`;
}

/** Builds the pools; datapoints are appended in order, so each datapoint's entries are contiguous. */
export function buildTaskPools(datapoints: readonly AnnotatedDatapoint[]): TaskPools {
  const byCategory = new Map<string, PhraseEntry[]>();
  const byCategoryTopic = new Map<string, PhraseEntry[]>();
  const ownRanges = datapoints.map((d, datapointIndex) => {
    const topic = labelKey(d.topicCategory);
    const ranges = new Map<string, { category: [number, number]; categoryTopic: [number, number] }>();
    for (const pref of d.preferences) {
      const cat = labelKey(pref.category);
      const pool = getOrCreate(byCategory, cat);
      const topicPool = getOrCreate(byCategoryTopic, categoryTopicKey(cat, topic));
      const start = pool.length;
      const topicStart = topicPool.length;
      for (const text of pref.granular) {
        pool.push({ datapointIndex, text });
        topicPool.push({ datapointIndex, text });
      }
      ranges.set(cat, { category: [start, pool.length], categoryTopic: [topicStart, topicPool.length] });
    }
    return ranges;
  });
  return { datapoints, categoryKeys: [...byCategory.keys()].sort(), byCategory, byCategoryTopic, ownRanges };
}

function getOrCreate(map: Map<string, PhraseEntry[]>, key: string): PhraseEntry[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

/** The pool without the half-open range [start, end) (a datapoint's own entries). */
export function withoutRange(pool: readonly PhraseEntry[], [start, end]: readonly [number, number]): PoolView {
  const gap = end - start;
  return {
    size: pool.length - gap,
    at: (i) => pool[i < start ? i : i + gap] as PhraseEntry,
  };
}

/** Several pools seen as one list, in the given order. */
export function concatenated(pools: readonly (readonly PhraseEntry[])[]): PoolView {
  const nonEmpty = pools.filter((p) => p.length > 0);
  const size = nonEmpty.reduce((n, p) => n + p.length, 0);
  return {
    size,
    at(i) {
      let rest = i;
      for (const pool of nonEmpty) {
        if (rest < pool.length) return pool[rest] as PhraseEntry;
        rest -= pool.length;
      }
      throw new RangeError(`index ${i} outside a pool of ${size}`);
    },
  };
}

export function listView(entries: readonly PhraseEntry[]): PoolView {
  return { size: entries.length, at: (i) => entries[i] as PhraseEntry };
}
