// One step for every compared run: each shows its nearest logged step at or
// before the chosen one; pure.

import { indexAtOrBefore } from "../state/steps";

export interface RunSteps {
  run: string;
  /** Ascending, one per step. */
  steps: readonly { step: number }[];
}

export interface MatchedStep {
  run: string;
  /** Index into the run's steps; -1 when it logged no step at or before the chosen one. */
  index: number;
  /** The step the run shows; null with index -1. */
  step: number | null;
  /** The run shows another step than the chosen one (or none). */
  differs: boolean;
}

/** For each run, the nearest logged step at or before `chosen`. */
export function matchSteps(runs: readonly RunSteps[], chosen: number): MatchedStep[] {
  return runs.map(({ run, steps }) => {
    const found = indexAtOrBefore(steps, chosen);
    const index = found >= 0 && steps[found]!.step <= chosen ? found : -1;
    const step = index >= 0 ? steps[index]!.step : null;
    return { run, index, step, differs: step !== chosen };
  });
}

/** The step label of a compared run: its own step when it differs from the chosen one. */
export function matchedStepLabel(match: MatchedStep, chosen: number): string {
  if (match.step === null) return `no step ≤ ${chosen}`;
  return match.differs ? `step ${match.step}` : "";
}
