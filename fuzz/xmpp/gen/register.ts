// XEP-0077 queries with malformed contents: wrong/missing FORM_TYPE, wrong form types, missing and
// duplicated fields, 10k fields, hostile values, bogus bring-your-own credentials, <remove/>.
import type { Rng } from "../../../test/support/rng.ts";
import { fakeToken } from "../../secretsSeen.ts";
import { anyJid, type Aim } from "../jids.ts";
import { bulk, nasty, randomText } from "../text.ts";
import { freshId, toCase, type StanzaCase } from "../stanzaCase.ts";
import { n, type XNode } from "../tree.ts";

const NS_REGISTER = "jabber:iq:register";
const NS_DATA = "jabber:x:data";

export interface RegisterAim extends Aim {
  pool: readonly string[];
}

function field(name: string | undefined, ...values: Array<string | XNode>): XNode {
  return n("field", { var: name }, ...values.map((v) => n("value", {}, v)));
}

function numberValue(rng: Rng, aim: Aim): string {
  const pool = (aim as Partial<RegisterAim>).pool ?? [];
  return rng.weighted<() => string>([
    [20, () => (pool.length ? rng.pick(pool) : "+15550001111")],
    [15, () => rng.pick(aim.knownNumbers)],
    [10, () => "+1555000" + rng.digits(4)],
    [8, () => "(555) 000-" + rng.digits(4)],
    [8, () => ""],
    [8, () => nasty(rng)],
    [6, () => bulk(rng.int(100, 20_000), "5")],
    [6, () => randomText(rng, 30)],
    [5, () => "+1 555 000 1111 ext. 9"],
    [5, () => "+99999999999999999999"],
    [9, () => "+44 20 7946 0958"],
  ])();
}

function form(rng: Rng, aim: Aim): XNode {
  const formType = rng.weighted<string | undefined | string[]>([
    [55, NS_REGISTER],
    [10, undefined],
    [10, "urn:wrong:form"],
    [5, ""],
    [5, [NS_REGISTER, "urn:second"]],
    [5, NS_REGISTER.toUpperCase()],
    [10, "skip"],
  ]);
  const fields: XNode[] = [];
  if (formType !== "skip") {
    if (Array.isArray(formType)) fields.push(field("FORM_TYPE", ...formType));
    else if (formType === undefined) fields.push(n("field", { var: "FORM_TYPE" }));
    else fields.push(field("FORM_TYPE", formType));
  }
  const shape = rng.weighted<string>([
    [25, "pool"],
    [15, "byo"],
    [10, "byo-partial"],
    [10, "empty"],
    [8, "dup"],
    [8, "novar"],
    [6, "nested-value"],
    [6, "many"],
    [4, "10k"],
    [8, "unknown"],
  ]);
  switch (shape) {
    case "pool":
      fields.push(field("number", numberValue(rng, aim)));
      break;
    case "byo":
      fields.push(field("number", numberValue(rng, aim)), field("account_sid", rng.pick([`AC${rng.hex(16)}`, "AC", "ACxyz/../..", nasty(rng), `AC${"0123456789abcdef".repeat(2)}`])), field("auth_token", fakeToken(rng.hex(8))));
      break;
    case "byo-partial":
      fields.push(rng.chance(0.5) ? field("account_sid", `AC${rng.hex(16)}`) : field("auth_token", fakeToken(rng.hex(8))));
      break;
    case "empty":
      fields.push(n("field", { var: "number" }), n("field", { var: "account_sid" }, n("value")), n("field", { var: "auth_token" }));
      break;
    case "dup":
      fields.push(field("number", numberValue(rng, aim)), field("number", numberValue(rng, aim)), field("number", numberValue(rng, aim), numberValue(rng, aim)));
      break;
    case "novar":
      fields.push(field(undefined, numberValue(rng, aim)), field("", numberValue(rng, aim)));
      break;
    case "nested-value":
      fields.push(field("number", n("b", {}, "+15550001111")));
      break;
    case "many":
      for (let i = rng.int(50, 500); i > 0; i--) fields.push(field(`f${i}`, randomText(rng, 10)));
      break;
    case "10k":
      // Compact on purpose: 10,000 fields stay under Prosody's 256 KiB stanza limit.
      for (let i = 0; i < 10_000; i++) fields.push(n("field", { var: `f${i}` }));
      break;
    case "unknown":
      fields.push(field(nasty(rng) || "x", randomText(rng, 20)), field("__proto__", "1"), field("constructor", "1"));
      break;
  }
  const type = rng.weighted<string | undefined>([[75, "submit"], [8, "form"], [5, "cancel"], [4, "result"], [4, undefined], [4, "SUBMIT"]]);
  return n("x", { xmlns: rng.chance(0.95) ? NS_DATA : "jabber:x:oob", type }, ...fields);
}

/** A jabber:iq:register <query/> with hostile contents (for get and set alike). */
export function randomRegisterQuery(rng: Rng, aim: Aim): XNode {
  const children = rng.weighted<() => XNode[]>([
    [50, () => [form(rng, aim)]],
    [8, () => []],
    [8, () => [form(rng, aim), form(rng, aim)]],
    [6, () => [n("username", {}, `alice@${aim.host}`), n("password", {}, fakeToken(rng.hex(6)))]],
    [5, () => [n("remove")]],
    [4, () => [n("remove"), form(rng, aim)]],
    [5, () => [n("registered")]],
    [5, () => [n("x", { xmlns: NS_DATA })]],
    [5, () => [n("instructions", {}, randomText(rng, 50))]],
    [4, () => [n("key", {}, nasty(rng))]],
  ])();
  return n("query", { xmlns: NS_REGISTER }, ...children);
}

export function randomRegisterIq(rng: Rng, aim: RegisterAim): StanzaCase {
  const type = rng.weighted<string>([[80, "set"], [20, "get"]]);
  const to = rng.chance(0.85) ? aim.domain : anyJid(rng, aim).jid;
  const query = randomRegisterQuery(rng, aim);
  const first = query.children[0];
  const shape = first === undefined ? "empty" : typeof first === "string" ? "text" : first.name;
  return toCase(`register/${type}/${shape}`, n("iq", { type, to, id: freshId("reg") }, query));
}
