// The processes of the PostgreSQL server the benchmark uses (postmaster and its children), so its
// CPU can be told apart from other load on a shared machine (another server, someone's tests).
import fs from "node:fs";
import { withClient } from "./database.ts";

export async function postgresPids(url: string): Promise<number[]> {
  const checkpointer = await withClient(url, async (c) => {
    const { rows } = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`);
    return rows[0]?.pid;
  }).catch(() => undefined);
  if (checkpointer === undefined) return [];
  const postmaster = parentOf(checkpointer);
  if (postmaster === undefined) return [];
  const pids = [postmaster];
  for (const entry of fs.readdirSync("/proc")) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && parentOf(pid) === postmaster) pids.push(pid);
  }
  return pids;
}

function parentOf(pid: number): number | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}
