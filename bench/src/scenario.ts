// What a scenario is and what it produces: figures, each with its baseline and its target.
import { round, sample, type Sample } from "./measure.js";

/** Settings every scenario gets from the CLI. */
export interface RunContext {
  /** Short mode: fewer runs and smaller sizes (whole suite under 2 minutes). */
  quick: boolean;
  /** Prints a progress line. */
  log: (line: string) => void;
  /** When set, server children write V8 CPU profiles here. */
  cpuProfDir?: string | undefined;
}

/** The baseline that is Porthole itself with LOCAL_PTY_THREAD=false (throughput, scale). */
export const MAIN_THREAD_BASELINE = "Porthole, PTYs on the main thread";

/** A measured baseline for a figure. */
export interface Baseline {
  name: string;
  value: Sample;
}

/** One number the suite reports. */
export interface Figure {
  scenario: string;
  name: string;
  unit: string;
  /** Which way is better, so ratios and the chart read the right way round. */
  better: "higher" | "lower";
  /** Null when the figure could not be measured in this run (see `note`). */
  value: Sample | null;
  /** The reference measured in the same run; the first one is the ratio's denominator. */
  baselines: Baseline[];
  /** value.median / baselines[0].median, or null. */
  ratio: number | null;
  target: { text: string; met: boolean | null } | null;
  note?: string;
}

/** A benchmark scenario. */
export interface Scenario {
  /** Short name used by `--only=`. */
  name: string;
  title: string;
  run(context: RunContext): Promise<Figure[]>;
}

/** Input for `figure()`. */
export interface FigureSpec {
  scenario: string;
  name: string;
  unit: string;
  better: "higher" | "lower";
  runs: number[] | null;
  baselines?: { name: string; runs: number[] }[];
  /** Decides whether the target is met from the figure's and the first baseline's medians. */
  target?: { text: string; met: (value: number, baseline: number | null) => boolean };
  note?: string;
}

/** Builds a figure from raw runs. */
export function figure(spec: FigureSpec): Figure {
  const value = spec.runs && spec.runs.length > 0 ? sample(spec.runs) : null;
  const baselines = (spec.baselines ?? [])
    .filter((baseline) => baseline.runs.length > 0)
    .map((baseline) => ({ name: baseline.name, value: sample(baseline.runs) }));
  const first = baselines[0]?.value.median ?? null;
  // A ratio to a baseline at or below zero (memory a run gave back) says nothing: none then.
  const ratio = value && first !== null && first > 0 ? value.median / first : null;
  const met = value && spec.target ? spec.target.met(value.median, first) : null;
  return {
    scenario: spec.scenario,
    name: spec.name,
    unit: spec.unit,
    better: spec.better,
    value,
    baselines,
    ratio,
    target: spec.target ? { text: spec.target.text, met } : null,
    ...(spec.note ? { note: spec.note } : {}),
  };
}

/** One line for the console: the figure, its baseline(s), the ratio and the target. */
export function describe(f: Figure): string {
  const show = (s: Sample) =>
    `${round(s.median)} ${f.unit} (${round(s.min)}–${round(s.max)}, n=${s.runs.length})`;
  const parts = [`${f.scenario} · ${f.name}: ${f.value ? show(f.value) : "not measured"}`];
  for (const baseline of f.baselines) parts.push(`${baseline.name}: ${show(baseline.value)}`);
  if (f.ratio !== null) parts.push(`ratio ${round(f.ratio)}x`);
  if (f.target) {
    const verdict = f.target.met === null ? "n/a" : f.target.met ? "met" : "MISSED";
    parts.push(`target ${f.target.text}: ${verdict}`);
  }
  if (f.note) parts.push(f.note);
  return parts.join(" | ");
}
