// Where a rate target is missed, the arithmetic that bounds it: every process of the run shares
// the machine's cores, so a rate of R msg/s leaves cores ÷ R of CPU per message for all of them
// together. What the run spent per message, process by process, shows which share would have to
// shrink, and how far the rig alone (Prosody, simulators, load generators) already goes.
import type { PathRow } from "./model.ts";
import { num, table } from "./table.ts";

const TARGET_RATIO = 0.25;

export function renderBudget(rows: PathRow[], cores: number, prosodyRate: number | undefined): string[] {
  if (!prosodyRate) return [];
  const needRate = TARGET_RATIO * prosodyRate;
  const budgetMs = (cores * 1000) / needRate;
  const lines = rows
    .filter((row) => row.kind === "windowed" && row.ratioToProsody !== undefined && row.ratioToProsody < TARGET_RATIO && !row.networkLimit)
    .flatMap((row) => {
      const { cpu, summary } = row.measurement;
      if ((cpu.interval ?? 0) < 0.5 || summary.rate <= 0) return [];
      const per = (busy: number | undefined) => ((busy ?? 0) * 1000) / summary.rate;
      const rig = per(cpu.prosody) + per(cpu.bench);
      return [
        [
          row.label,
          num(per(cpu.machine), 2),
          num(per(cpu.gateway), 2),
          num(per(cpu.postgres), 2),
          num(per(cpu.prosody), 2),
          num(per(cpu.bench), 2),
          num(per(cpu.other), 2),
          // The rate if the gateway and its database cost nothing and the rig kept its cost.
          `${num((cores * 1000) / rig / prosodyRate, 2)}×`,
        ],
      ];
    });
  if (lines.length === 0) return [];
  return [
    "",
    `CPU per message, ms (all processes share ${cores} cores): ${TARGET_RATIO}× Prosody alone is ${num(needRate)} msg/s, ` +
      `which leaves ${num(budgetMs, 2)} ms per message for everything together`,
    table(["path (target missed)", "spent", "gateway", "postgres", "prosody", "bench", "other", "rig-only ceiling"], lines),
    `"rig-only ceiling": the ratio reachable if the gateway and PostgreSQL took no CPU at all, with Prosody and the benchmark process (simulators, load) as measured.`,
  ];
}
