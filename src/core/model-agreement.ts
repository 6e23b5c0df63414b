// How closely an LLM evaluator follows the humans, task by task (issue 13.5): on each task the
// humans' majority decision per option kind (ticked by more than half of the humans who answered
// it) against the model's (more than half of its repeats); the share of the six kinds they agree
// on, and Cohen's kappa per kind over the tasks both answered.
import { OPTION_KINDS, type OptionKind } from './option-kinds.js';

export interface TaskAnswers {
  taskId: string;
  /** Each human answer's selected kinds as bits (option-kinds.ts kindBit). */
  human: readonly number[];
  /** Each of the model's answers (one per repeat). */
  model: readonly number[];
}

export interface TaskAgreement {
  taskId: string;
  humans: number;
  /** Share of the six kinds on which the humans' majority and the model decide alike. */
  agreement: number;
  /** Kinds they decide differently: the humans ticked them and the model did not, or the reverse. */
  disagreeOn: OptionKind[];
}

export interface KindKappa {
  kind: OptionKind;
  /** Cohen's kappa over the tasks; null when chance agreement is total (both always or never tick it). */
  kappa: number | null;
  /** Tasks on which the humans' majority ticked the kind, and the model did. */
  humanRate: number;
  modelRate: number;
}

export interface ModelAgreement {
  tasks: number;
  /** Mean of the tasks' agreement; null with no task answered by both. */
  meanAgreement: number | null;
  kappa: KindKappa[];
  /** The tasks where they disagree most (lowest agreement first, then by id), at most `worst`. */
  mostDisagreeing: TaskAgreement[];
}

const majority = (answers: readonly number[], bit: number) => answers.filter((a) => (a & bit) !== 0).length * 2 > answers.length;

export function modelAgreement(tasks: readonly TaskAnswers[], worst = 20): ModelAgreement {
  const both = tasks.filter((t) => t.human.length > 0 && t.model.length > 0);
  const decisions = both.map((t) => OPTION_KINDS.map((_, k) => ({ human: majority(t.human, 1 << k), model: majority(t.model, 1 << k) })));
  const perTask: TaskAgreement[] = both.map((t, i) => {
    const d = decisions[i] ?? [];
    const disagreeOn = OPTION_KINDS.filter((_, k) => d[k]?.human !== d[k]?.model);
    return { taskId: t.taskId, humans: t.human.length, agreement: (OPTION_KINDS.length - disagreeOn.length) / OPTION_KINDS.length, disagreeOn };
  });
  const kappa = OPTION_KINDS.map((kind, k) => {
    const n = decisions.length;
    const humanYes = decisions.filter((d) => d[k]?.human).length;
    const modelYes = decisions.filter((d) => d[k]?.model).length;
    const observed = decisions.filter((d) => d[k]?.human === d[k]?.model).length / n;
    const [ph, pm] = [humanYes / n, modelYes / n];
    const chance = ph * pm + (1 - ph) * (1 - pm);
    return { kind, kappa: n === 0 || chance === 1 ? null : (observed - chance) / (1 - chance), humanRate: n === 0 ? 0 : ph, modelRate: n === 0 ? 0 : pm };
  });
  const mostDisagreeing = [...perTask].sort((a, b) => a.agreement - b.agreement || (a.taskId < b.taskId ? -1 : 1)).slice(0, worst);
  const meanAgreement = perTask.length === 0 ? null : perTask.reduce((s, t) => s + t.agreement, 0) / perTask.length;
  return { tasks: perTask.length, meanAgreement, kappa, mostDisagreeing };
}
