// A mail body as a chat message: the new text only, without the quoted history and signature that
// mail programs append to every reply (the user already has those earlier messages as chats).

// "On Mon, 3 Nov 2025 at 10:00, Bob <bob@example.net> wrote:" and its translations' common shape;
// mail programs wrap it, so it may span two lines.
const ATTRIBUTION = /^(on|am|le|el|il|op|em|den|dnia)\b.{0,300}\b(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|napisał)\s*:\s*$/i;
const OUTLOOK_SEPARATOR = /^(-{2,}\s*original message\s*-{2,}|_{10,})\s*$/i;
const SIGNATURE = /^--\s?$/;
const MAX_SIGNATURE_LINES = 15;

/**
 * Cuts from the end: a trailing block of ">"-quoted lines with the attribution line before it,
 * an Outlook "-----Original Message-----" block, and a signature after "-- " (RFC 3676), in
 * whatever order they come. Quotes with replies between them (inline answers) are kept. When
 * nothing would be left, the text is kept as it was.
 */
export function trimReply(text: string): string {
  const original = tidy(text);
  let lines = original.split("\n");
  for (let changed = true; changed; ) {
    const before = lines.length;
    lines = dropTrailingBlank(lines);
    lines = dropTrailingQuote(lines);
    lines = dropOutlookHistory(lines);
    lines = dropSignature(lines);
    changed = lines.length !== before;
  }
  const trimmed = dropTrailingBlank(lines).join("\n").trim();
  return trimmed === "" ? original.trim() : trimmed;
}

/** Line ends, trailing spaces (but not the one in "-- ") and runs of blank lines. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => (SIGNATURE.test(l) ? l : l.trimEnd()))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
}

function dropTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? "").trim() === "") end--;
  return lines.slice(0, end);
}

function dropTrailingQuote(lines: string[]): string[] {
  let start = lines.length;
  while (start > 0 && /^\s*(>|$)/.test(lines[start - 1] ?? "")) start--;
  if (!lines.slice(start).some((l) => l.trimStart().startsWith(">"))) return lines;
  const head = dropTrailingBlank(lines.slice(0, start));
  const last = head.at(-1) ?? "";
  if (ATTRIBUTION.test(last)) return head.slice(0, -1);
  const twoLines = `${head.at(-2) ?? ""} ${last}`;
  if (head.length >= 2 && ATTRIBUTION.test(twoLines)) return head.slice(0, -2);
  return head;
}

function dropOutlookHistory(lines: string[]): string[] {
  const at = lines.findIndex((l, i) => OUTLOOK_SEPARATOR.test(l) && /^(from|von|de|da):/i.test(lines[i + 1] ?? ""));
  return at < 0 ? lines : lines.slice(0, at);
}

function dropSignature(lines: string[]): string[] {
  for (let i = lines.length - 1; i >= 0 && lines.length - i <= MAX_SIGNATURE_LINES + 1; i--) {
    if (SIGNATURE.test(lines[i] ?? "")) return lines.slice(0, i);
  }
  return lines;
}
