// Every network's inbound surface under test. Telegram (webhook mode) and email (SMTP listener)
// each become one more file next to smsTwilio.ts and one more line here.
import { smsTwilio } from "./smsTwilio.ts";
import type { NetworkTarget } from "./types.ts";

export const TARGETS: readonly NetworkTarget[] = [smsTwilio];
