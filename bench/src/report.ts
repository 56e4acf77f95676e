// Writes a run's results: JSON (everything), Markdown (the table) and an SVG bar chart of ratios.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { round, type Sample } from "./measure.js";
import type { MachineInfo } from "./proc.js";
import type { Figure } from "./scenario.js";

/** Everything one run produced. */
export interface RunReport {
  startedAt: string;
  durationSeconds: number;
  mode: "full" | "quick";
  command: string;
  machine: MachineInfo;
  figures: Figure[];
}

const range = (s: Sample, unit: string) =>
  `${round(s.median)} ${unit} (${round(s.min)}–${round(s.max)}, n=${s.runs.length})`;

const verdict = (f: Figure) =>
  !f.target
    ? "—"
    : f.target.met === null
      ? `${f.target.text}: not measured`
      : `${f.target.met ? "✅ met" : "❌ missed"} (${f.target.text})`;

/** The Markdown table of a run. */
export function markdown(report: RunReport): string {
  const m = report.machine;
  const lines = [
    `# Porthole benchmark results (${report.mode} run)`,
    "",
    `Run ${report.startedAt} with \`${report.command}\`, ${Math.round(report.durationSeconds)} s.`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel} (${m.platform}).`,
    "",
    "Each figure is the median of its runs with min–max; the baseline was measured in the same run.",
    "Ratio = figure ÷ first baseline (for ms and MiB lower is better, for MB/s higher is better).",
    "",
    "| Scenario | Figure | Porthole | Baseline(s) | Ratio | Target |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const f of report.figures) {
    const value = f.value ? range(f.value, f.unit) : "not measured";
    const baselines =
      f.baselines.map((b) => `${b.name}: ${range(b.value, f.unit)}`).join("<br>") || "—";
    const ratio = f.ratio === null ? "—" : `${round(f.ratio)}x`;
    lines.push(
      `| ${f.scenario} | ${f.name} | ${value} | ${baselines} | ${ratio} | ${verdict(f)} |`,
    );
  }
  const notes = report.figures.filter((f) => f.note);
  if (notes.length > 0) {
    lines.push("", "Notes:", "");
    for (const f of notes) lines.push(`- **${f.scenario} · ${f.name}**: ${f.note}`);
  }
  lines.push("", "![Porthole relative to its baseline](chart.svg)", "");
  return lines.join("\n");
}

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A horizontal bar per figure with a baseline: how Porthole does relative to it, oriented so that
 * 1.0 means "as good as the baseline" and less is worse (a log scale, 0.01x to 10x).
 */
export function chart(report: RunReport): string {
  const bars = report.figures.filter((f) => f.ratio !== null && f.ratio > 0);
  const rowHeight = 26;
  const labelWidth = 560;
  const plotWidth = 420;
  const top = 50;
  const height = top + bars.length * rowHeight + 40;
  const min = Math.log10(0.01);
  const max = Math.log10(10);
  const x = (ratio: number) =>
    labelWidth +
    ((Math.min(max, Math.max(min, Math.log10(ratio))) - min) / (max - min)) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 90}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Porthole relative to its baseline (1 = as good; log scale; ${escape(report.mode)} run ${escape(report.startedAt.slice(0, 10))})</text>`,
  ];
  for (const tick of [0.01, 0.1, 1, 10]) {
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 8}" x2="${x(tick)}" y2="${height - 30}" stroke="${tick === 1 ? "#333" : "#ccc"}"/>`,
      `<text x="${x(tick)}" y="${height - 14}" text-anchor="middle">${tick}x</text>`,
    );
  }
  bars.forEach((f, i) => {
    const relative = f.better === "higher" ? f.ratio! : 1 / f.ratio!;
    const y = top + i * rowHeight;
    const colour = f.target?.met === false ? "#d9534f" : f.target?.met ? "#5cb85c" : "#5b8def";
    const from = x(1);
    const to = x(relative);
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(`${f.scenario} · ${f.name}`.slice(0, 85))}</text>`,
      `<rect x="${Math.min(from, to)}" y="${y + 4}" width="${Math.max(1, Math.abs(to - from))}" height="${rowHeight - 10}" fill="${colour}"/>`,
      `<text x="${labelWidth + plotWidth + 6}" y="${y + 15}">${round(relative)}x</text>`,
    );
  });
  parts.push("</svg>", "");
  return parts.join("\n");
}

/** Writes results.json, results.md and chart.svg into `dir`. */
export function writeReport(dir: string, report: RunReport): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, "results.md"), markdown(report));
  writeFileSync(join(dir, "chart.svg"), chart(report));
}
