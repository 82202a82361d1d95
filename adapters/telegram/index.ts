export { createTelegramAdapter } from "./adapter.ts";
export type { TelegramAdapterConfig } from "./config.ts";
