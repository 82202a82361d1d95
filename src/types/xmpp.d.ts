// @xmpp/* 0.13 ships CommonJS without type declarations; this covers the part we use.
declare module "@xmpp/xml" {
  export class Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    parent: Element | null;
    constructor(name: string, attrs?: Record<string, unknown>);
    is(name: string, xmlns?: string): boolean;
    getNS(): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getChildByAttr(attr: string, value: string, xmlns?: string, recursive?: boolean): Element | undefined;
    getText(): string;
    text(): string;
    text(value: string): this;
    append(...children: Array<Element | string>): this;
    c(name: string, attrs?: Record<string, unknown>): Element;
    t(text: string): this;
    up(): Element;
    root(): Element;
    clone(): Element;
    toString(): string;
  }
  type Child = Element | string | null | undefined | false | Child[];
  function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: Child[]): Element;
  namespace xml {
    export { Element };
    export function escapeXML(s: string): string;
    export class Parser {
      constructor();
      write(data: string): void;
      end(data?: string): void;
      on(event: "element" | "start" | "end" | "error", fn: (...args: any[]) => void): this;
    }
  }
  export default xml;
}

declare module "@xmpp/jid" {
  export interface JID {
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    toString(unescape?: boolean): string;
    equals(other: JID): boolean;
    getLocal(unescape?: boolean): string;
    getDomain(): string;
  }
  function jid(address: string): JID;
  function jid(local: string, domain: string, resource?: string): JID;
  export default jid;
}

declare module "@xmpp/component" {
  import type { Element } from "@xmpp/xml";
  import xmlFn from "@xmpp/xml";
  import jidFn from "@xmpp/jid";
  import type { EventEmitter } from "node:events";

  export interface MiddlewareContext {
    stanza: Element;
    entity: Component;
    name: string;
    id: string;
    type: string;
    from: import("@xmpp/jid").JID | null;
    to: import("@xmpp/jid").JID | null;
    local: string;
    domain: string;
    resource: string;
    element?: Element;
  }
  type Next = () => Promise<unknown>;
  type Middleware = (ctx: MiddlewareContext, next: Next) => unknown;

  export interface Component extends EventEmitter {
    status: string;
    socket: (import("node:net").Socket & { setNoDelay?(v: boolean): void }) | null;
    options: { service: string; domain: string };
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(stanza: Element): Promise<void>;
    write(data: string): Promise<void>;
    disconnect(timeout?: number): Promise<void>;
    reconnect: { delay: number; start(): void; stop(): void };
    middleware: { use(fn: Middleware): void; filter(fn: Middleware): void };
    iqCaller: {
      request(stanza: Element, timeout?: number): Promise<Element>;
      get(el: Element, to?: string, timeout?: number): Promise<Element>;
      set(el: Element, to?: string, timeout?: number): Promise<Element>;
    };
    iqCallee: {
      get(ns: string, name: string, fn: Middleware): void;
      set(ns: string, name: string, fn: Middleware): void;
    };
  }
  export function component(options: { service: string; domain: string; password: string }): Component;
  export const xml: typeof xmlFn;
  export const jid: typeof jidFn;
}

declare module "@xmpp/client" {
  import type { Element } from "@xmpp/xml";
  import xmlFn from "@xmpp/xml";
  import jidFn from "@xmpp/jid";
  import type { EventEmitter } from "node:events";
  export interface Client extends EventEmitter {
    status: string;
    jid: import("@xmpp/jid").JID | null;
    /** The TCP socket while connected (net.Socket for xmpp:// services), else null. */
    socket: import("node:net").Socket | null;
    options: { service: string; domain: string; lang?: string };
    start(): Promise<import("@xmpp/jid").JID>;
    stop(): Promise<unknown>;
    send(stanza: Element): Promise<void>;
    reconnect: { delay: number; start(): void; stop(): void };
    iqCaller: {
      request(stanza: Element, timeout?: number): Promise<Element>;
      get(el: Element, to?: string, timeout?: number): Promise<Element>;
      set(el: Element, to?: string, timeout?: number): Promise<Element>;
    };
    iqCallee: {
      get(ns: string, name: string, fn: (ctx: any) => unknown): void;
      set(ns: string, name: string, fn: (ctx: any) => unknown): void;
    };
  }
  export function client(options: {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
  }): Client;
  export const xml: typeof xmlFn;
  export const jid: typeof jidFn;
}
