export { createSmsAdapter } from "./adapter.ts";
export type { SmsAdapterConfig } from "./config.ts";
