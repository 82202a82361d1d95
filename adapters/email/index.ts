export { createEmailAdapter, EmailAdapter } from "./adapter.ts";
export type { EmailAdapterConfig } from "./config.ts";
export { parseAddress } from "./addresses.ts";
