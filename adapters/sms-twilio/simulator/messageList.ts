// GET …/Messages.json: Twilio's filters on the message list, newest first.
import { HttpError } from "./http.ts";
import type { SimMessage } from "./types.ts";

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Twilio's `DateSent` filters: `DateSent=D` (sent that GMT day), `DateSent>=D` (on or after
 * midnight of D), `DateSent<=D` (on or before D). On the wire the operator is part of the
 * name (`DateSent>`, `DateSent<`). Full timestamps, as the SDK sends them, compare at Twilio's
 * one-second precision. A message not sent yet has no date_sent, so any DateSent filter skips it.
 */
export function filterMessages(all: readonly SimMessage[], query: URLSearchParams): SimMessage[] {
  const to = query.get("To");
  const from = query.get("From");
  const on = dateFilter(query, "DateSent");
  const after = dateFilter(query, "DateSent>");
  const before = dateFilter(query, "DateSent<");
  return all
    .filter((m) => {
      if (to !== null && m.to !== to) return false;
      if (from !== null && m.from !== from) return false;
      if (!on && !after && !before) return true;
      if (!m.sentAt) return false;
      const sent = Math.floor(m.sentAt.getTime() / 1000) * 1000;
      if (on && !(sent >= on.start && sent < on.end)) return false;
      if (after && sent < after.start) return false;
      if (before && sent >= before.end) return false;
      return true;
    })
    .map((m, i) => ({ m, i }))
    // Newest first like Twilio; among equal timestamps the later-created one first.
    .sort((a, b) => b.m.createdAt.getTime() - a.m.createdAt.getTime() || b.i - a.i)
    .map(({ m }) => m);
}

/** The instants a filter value covers: a whole GMT day for a date, one second for a timestamp. */
function dateFilter(query: URLSearchParams, name: string): { start: number; end: number } | null {
  const raw = query.get(name);
  if (raw === null) return null;
  const value = raw.trim();
  const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (value === "" || Number.isNaN(ms)) {
    throw new HttpError(400, 20001, `Invalid ${name} value: ${raw}`);
  }
  const start = Math.floor(ms / 1000) * 1000;
  return { start, end: start + (DATE_ONLY.test(value) ? DAY_MS : 1000) };
}
