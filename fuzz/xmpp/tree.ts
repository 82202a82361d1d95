// A minimal XML tree for building stanzas the way an attacker would: any names, any attributes,
// any nesting — well-formed, but nothing a real client library would agree to build.

export interface XNode {
  name: string;
  attrs: Record<string, string | undefined>;
  children: Array<XNode | string>;
}

export function n(name: string, attrs: Record<string, string | undefined> = {}, ...children: Array<XNode | string | undefined>): XNode {
  return { name, attrs, children: children.filter((c): c is XNode | string => c !== undefined) };
}

export function escText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escAttr(s: string): string {
  return escText(s).replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Serialises iteratively (trees may be deep). Attributes whose value is undefined are left out. */
export function serialize(root: XNode | string): string {
  const out: string[] = [];
  const stack: Array<XNode | string | { close: string }> = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === "string") {
      out.push(escText(item));
      continue;
    }
    if ("close" in item) {
      out.push(`</${item.close}>`);
      continue;
    }
    let open = `<${item.name}`;
    for (const [k, v] of Object.entries(item.attrs)) if (v !== undefined) open += ` ${k}="${escAttr(v)}"`;
    if (item.children.length === 0) {
      out.push(`${open}/>`);
      continue;
    }
    out.push(`${open}>`);
    stack.push({ close: item.name });
    for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i]!);
  }
  return out.join("");
}

/** Every element of the tree (for mutation). */
export function elements(root: XNode): XNode[] {
  const all: XNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    all.push(el);
    for (const c of el.children) if (typeof c !== "string") stack.push(c);
  }
  return all;
}

export function clone(node: XNode): XNode {
  return {
    name: node.name,
    attrs: { ...node.attrs },
    children: node.children.map((c) => (typeof c === "string" ? c : clone(c))),
  };
}
