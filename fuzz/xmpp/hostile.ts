// Inputs meant to break a stream or its parser: DOCTYPEs and entity expansion (XML bombs),
// non-well-formed XML, illegal characters, deep nesting, oversize stanzas, spoofed senders.
// Each runs on its own connection; the server closing that stream is an acceptable answer.
import { bulk } from "./text.ts";
import { streamHeader } from "./rawClient.ts";
import { freshId } from "./stanzaCase.ts";

export interface HostileCase {
  label: string;
  /** Sent on a fresh TCP connection before any login (the stream header is part of it). */
  preLogin?: boolean;
  payload: string | Buffer | Array<string | Buffer>;
  /** An iq id whose reply ends the wait early. */
  awaitId?: string;
  waitMs?: number;
}

function lolz(levels: number): string {
  let dtd = `<!ENTITY lol0 "lollollollollollollollollollol">`;
  for (let i = 1; i <= levels; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return dtd;
}

function nested(depth: number, inner: string): string {
  return "<a>".repeat(depth) + inner + "</a>".repeat(depth);
}

export function hostileCases(o: { domain: string; host: string; contact: string; victimJid: string }): HostileCase[] {
  const { domain, host, contact } = o;
  const msg = (inner: string, to = contact) => `<message to='${to}' type='chat' id='${freshId("h")}'>${inner}</message>`;
  return [
    { label: "bomb/doctype-before-stream", preLogin: true, payload: `<?xml version='1.0'?><!DOCTYPE stream:stream [${lolz(9)}]>${streamHeader(host).replace("<?xml version='1.0'?>", "")}<x>&lol9;</x>` },
    { label: "bomb/doctype-in-stream", payload: `<!DOCTYPE message [${lolz(9)}]>${msg("<body>&lol9;</body>")}` },
    { label: "bomb/external-entity", payload: `<!DOCTYPE message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${msg("<body>&xxe;</body>")}` },
    { label: "bomb/undeclared-entity", payload: msg("<body>&lol9;</body>") },
    { label: "bomb/parameter-entity", payload: `<!DOCTYPE m [<!ENTITY % p "<!ENTITY e 'x'>"> %p;]>${msg("<body>&e;</body>")}` },
    { label: "xml/comment", payload: msg("<!-- a comment --><body>x</body>") },
    { label: "xml/processing-instruction", payload: `<?evil data?>${msg("<body>x</body>")}` },
    { label: "xml/xml-declaration-mid-stream", payload: `<?xml version='1.0'?>${msg("<body>x</body>")}` },
    { label: "xml/cdata", payload: msg("<body><![CDATA[<not-a-tag/> & stuff]]></body>") },
    { label: "xml/mismatched-tags", payload: `<message to='${contact}'><body>x</message>` },
    { label: "xml/duplicate-attribute", payload: `<message to='${contact}' to='${domain}'><body>x</body></message>` },
    { label: "xml/unbound-prefix", payload: msg("<foo:bar/><body>x</body>") },
    { label: "xml/xmlns-prefix-rebind", payload: msg("<x xmlns:xml='urn:evil'/><body>x</body>") },
    { label: "chars/nul", payload: msg("<body>a\u0000b</body>") },
    { label: "chars/control", payload: msg("<body>a\u0001\u0008\u001bb</body>") },
    { label: "chars/charref-nul", payload: msg("<body>a&#0;b</body>") },
    { label: "chars/charref-surrogate", payload: msg("<body>a&#xD800;b</body>") },
    { label: "chars/charref-fffe", payload: msg("<body>a&#xFFFE;b</body>") },
    { label: "chars/invalid-utf8", payload: Buffer.concat([Buffer.from(msg("<body>a").replace("</message>", "")), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from("</body></message>")]) },
    { label: "chars/overlong-utf8", payload: Buffer.concat([Buffer.from(`<message to='${contact}'><body>`), Buffer.from([0xc0, 0xbc]), Buffer.from("</body></message>")]) },
    { label: "nesting/100", payload: msg(`<body>nested 100</body>${nested(100, "x")}`) },
    { label: "nesting/500", payload: msg(`<body>nested 500</body>${nested(500, "x")}`) },
    { label: "nesting/1000-to-domain", payload: msg(`<body>nested 1000</body>${nested(1000, "x")}`, domain) },
    { label: "nesting/10000", payload: msg(`<body>nested 10000</body>${nested(10_000, "x")}`) },
    { label: "nesting/50000", payload: msg(`<body>nested 50000</body>${nested(50_000, "x")}`) },
    { label: "nesting/1000-in-iq", payload: `<iq type='get' to='${domain}' id='deep-iq'><query xmlns='jabber:iq:register'>${nested(1000, "x")}</query></iq>`, awaitId: "deep-iq" },
    { label: "nesting/1000-in-body", payload: msg(`<body>${nested(1000, "x")}</body>`) },
    { label: "size/300k-body", payload: msg(`<body>${bulk(300_000)}</body>`) },
    { label: "size/5000-attributes", payload: `<message to='${contact}' ${Array.from({ length: 5000 }, (_, i) => `a${i}='v'`).join(" ")}><body>attrs</body></message>` },
    { label: "size/200k-attribute", payload: `<message to='${contact}' id='${bulk(200_000)}'><body>big id</body></message>` },
    { label: "size/10k-element-name", payload: msg(`<body>x</body><${"n".repeat(10_000)}/>`) },
    { label: "size/1000-bodies", payload: msg(Array.from({ length: 1000 }, (_, i) => `<body>part ${i}</body>`).join("")) },
    { label: "size/50k-children-register", payload: `<iq type='set' to='${domain}' id='wide-iq'><query xmlns='jabber:iq:register'>${"<x/>".repeat(50_000)}</query></iq>`, awaitId: "wide-iq" },
    { label: "spoof/from-victim", payload: `<message from='${o.victimJid}/spoof' to='${contact}' type='chat' id='spoof1'><body>spoofed-from-victim</body></message>` },
    { label: "spoof/from-domain", payload: `<message from='${domain}' to='${contact}' type='chat'><body>spoofed-from-gateway</body></message>` },
    { label: "spoof/iq-from-victim", payload: `<iq type='get' from='${o.victimJid}' to='${domain}' id='spoof-iq'><query xmlns='jabber:iq:register'/></iq>`, awaitId: "spoof-iq" },
    { label: "stream/second-header", payload: streamHeader(host) },
    { label: "stream/close-mid-stanza", payload: `<message to='${contact}'><body>half` , waitMs: 300 },
    { label: "stream/end-tag-only", payload: "</stream:stream>" },
    { label: "stream/garbage-bytes", payload: Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]) },
  ];
}
