// Dataset summary in the manner of the paper's Tables 1-5: prevalence of categories and topics.
import { labelKey, phraseKey } from './normalize.js';
import { drain, type Steps } from './steps.js';

export interface SummaryDatapoint {
  topicCategory: string;
  preferences: readonly { category: string; granular: readonly string[] }[];
}

export interface CategorySummary {
  category: string;
  datapoints: number;
  /** Share of all datapoints carrying the category, in percent. */
  percent: number;
  /** Distinct granular phrases (after phrase normalisation) under the category. */
  distinctGranular: number;
  /** Topics where the category's rate is highest (ties by name), best first. */
  /** Topics where the category is most common: percent of the topic's datapoints, and the counts behind it. */
  mostPrevalentIn: { topicCategory: string; percent: number; datapoints: number; of: number }[];
}

export interface TopicSummary {
  topicCategory: string;
  datapoints: number;
  percent: number;
  /** Categories most over-represented in the topic: rate in topic minus overall rate, in points. */
  mostDistinctive: { category: string; percentInTopic: number; overallPercent: number; deltaPoints: number }[];
}

export interface DatasetSummary {
  datapoints: number;
  granularPhrases: number;
  distinctGranular: number;
  categories: CategorySummary[];
  topics: TopicSummary[];
}

const TOP = 3;

/** Summarises annotated datapoints; names are grouped by labelKey and shown in their first spelling. */
export function summarizeDataset(datapoints: readonly SummaryDatapoint[]): DatasetSummary {
  return drain(summarizeDatasetSteps(datapoints));
}

/** Datapoints tallied between two yields of summarizeDatasetSteps. */
const DATAPOINTS_PER_STEP = 2000;

/** summarizeDataset as steps: a server summarises a large dataset without holding up other requests. */
export function* summarizeDatasetSteps(datapoints: readonly SummaryDatapoint[]): Steps<DatasetSummary> {
  const tally = yield* tallyDataset(datapoints);
  const byCountThenName = (a: { key: string; count: number }, b: { key: string; count: number }) =>
    b.count - a.count || tally.labelOf(a.key).localeCompare(tally.labelOf(b.key));
  const topics = [...tally.topicCount].map(([key, count]) => ({ key, count })).sort(byCountThenName);
  const categories = [...tally.categoryCount].map(([key, count]) => ({ key, count })).sort(byCountThenName);
  return {
    datapoints: tally.datapoints,
    granularPhrases: tally.granularPhrases,
    distinctGranular: tally.allPhrases.size,
    categories: categories.map((c) => categoryRow(tally, c, topics)),
    topics: topics.map((t) => topicRow(tally, t, categories)),
  };
}

/** One pass over the datapoints: counts by topic, category and both, and the distinct phrases. */
interface Tally {
  datapoints: number;
  granularPhrases: number;
  allPhrases: Set<string>;
  topicCount: Map<string, number>;
  categoryCount: Map<string, number>;
  phrasesByCategory: Map<string, Set<string>>;
  /** Percent of the topic's datapoints that carry the category. */
  rateIn(topic: string, category: string): number;
  countIn(topic: string, category: string): number;
  labelOf(key: string): string;
}

function* tallyDataset(datapoints: readonly SummaryDatapoint[]): Steps<Tally> {
  const label = new Map<string, string>();
  const remember = (name: string) => {
    const key = labelKey(name);
    if (!label.has(key)) label.set(key, name.trim());
    return key;
  };
  const topicCount = new Map<string, number>();
  const categoryCount = new Map<string, number>();
  const pairCount = new Map<string, number>(); // `${topic}\0${category}` → datapoints
  const phrasesByCategory = new Map<string, Set<string>>();
  const allPhrases = new Set<string>();
  let granularPhrases = 0;
  for (const [i, d] of datapoints.entries()) {
    if (i % DATAPOINTS_PER_STEP === DATAPOINTS_PER_STEP - 1) yield;
    const topic = remember(d.topicCategory);
    increment(topicCount, topic);
    for (const pref of d.preferences) {
      const cat = remember(pref.category);
      increment(categoryCount, cat);
      increment(pairCount, `${topic}\u0000${cat}`);
      const set = phrasesByCategory.get(cat) ?? new Set<string>();
      phrasesByCategory.set(cat, set);
      for (const g of pref.granular) {
        set.add(phraseKey(g));
        allPhrases.add(phraseKey(g));
        granularPhrases++;
      }
    }
  }
  return {
    datapoints: datapoints.length,
    granularPhrases,
    allPhrases,
    topicCount,
    categoryCount,
    phrasesByCategory,
    rateIn: (topic, cat) => percent(pairCount.get(`${topic}\u0000${cat}`) ?? 0, topicCount.get(topic) ?? 0),
    countIn: (topic, cat) => pairCount.get(`${topic}\u0000${cat}`) ?? 0,
    labelOf: (key) => label.get(key) ?? key,
  };
}

type Counted = { key: string; count: number };

function categoryRow(tally: Tally, { key, count }: Counted, topics: readonly Counted[]): CategorySummary {
  return {
    category: tally.labelOf(key),
    datapoints: count,
    percent: percent(count, tally.datapoints),
    distinctGranular: tally.phrasesByCategory.get(key)?.size ?? 0,
    mostPrevalentIn: topics
      .map((t) => ({ topicCategory: tally.labelOf(t.key), percent: tally.rateIn(t.key, key), datapoints: tally.countIn(t.key, key), of: t.count }))
      .filter((t) => t.percent > 0)
      .sort((a, b) => b.percent - a.percent || a.topicCategory.localeCompare(b.topicCategory))
      .slice(0, TOP),
  };
}

function topicRow(tally: Tally, { key, count }: Counted, categories: readonly Counted[]): TopicSummary {
  return {
    topicCategory: tally.labelOf(key),
    datapoints: count,
    percent: percent(count, tally.datapoints),
    mostDistinctive: categories
      .map((c) => {
        const percentInTopic = tally.rateIn(key, c.key);
        const overallPercent = percent(c.count, tally.datapoints);
        return { category: tally.labelOf(c.key), percentInTopic, overallPercent, deltaPoints: round2(percentInTopic - overallPercent) };
      })
      .filter((c) => c.deltaPoints > 0)
      .sort((a, b) => b.deltaPoints - a.deltaPoints || a.category.localeCompare(b.category))
      .slice(0, TOP),
  };
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : round2((100 * part) / whole);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
