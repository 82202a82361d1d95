// Carries out the disruption plan, one at a time, recording each in the ledger with its start
// and the moment the system was whole again.
import { terminateConnections } from "../../test/support/database.ts";
import type { ChaosEnv } from "../env/chaosEnv.ts";
import type { Fault } from "../ledger.ts";
import { sleep } from "../util.ts";
import type { Disruption } from "./plan.ts";

const ARM_WAIT_MS = 5_000;

export class DisruptionRunner {
  #restarting: Promise<void> | undefined;

  constructor(
    private readonly env: ChaosEnv,
    private readonly log: (line: string) => void,
  ) {
    env.gateway.onCrash((inc) => {
      const f = env.ledger.fault({ at: inc.endedAt ?? Date.now(), kind: "gateway-crash", detail: `incarnation ${inc.no} (pid ${inc.pid}) exited by itself: ${inc.exit}` });
      this.log(`!! gateway incarnation ${inc.no} exited by itself (${inc.exit}); restarting it`);
      this.#restarting = this.#startGateway().then(() => void (f.end = Date.now()));
    });
  }

  async run(plan: Disruption[]): Promise<void> {
    for (const d of plan) {
      await sleep(d.at - Date.now());
      await this.#restarting;
      if (d.kind === "kill") await this.kill(d);
      else if (d.kind === "prosody") await this.prosody(d);
      else await this.dbCut(d);
    }
    await this.#restarting;
  }

  async kill(d: Extract<Disruption, { kind: "kill" }>): Promise<void> {
    const { policies } = this.env;
    const arms: Array<[string, Promise<string | false>]> = [];
    if (d.inFlight.sms) arms.push([`sms ${d.inFlight.sms === "hold" ? "201 held back" : "create hung"}`, policies.sms.arm.arm(d.inFlight.sms)]);
    if (d.inFlight.telegram) arms.push(["telegram answer held back", policies.telegram.arm.arm("hold")]);
    if (d.inFlight.email) arms.push(["email 250 held back", policies.email.arm.arm("hold")]);
    const engaged: string[] = [];
    const all = Promise.all(arms.map(([what, p]) => p.then((caught) => caught && engaged.push(`${what} (${caught})`))));
    await Promise.race([all, sleep(ARM_WAIT_MS)]);
    policies.sms.arm.disarm();
    policies.telegram.arm.disarm();
    policies.email.arm.disarm();
    const at = Date.now();
    const inc = await this.env.gateway.kill();
    const f = this.env.ledger.fault({ at, kind: "gateway-kill", detail: `incarnation ${inc?.no ?? "?"}; in flight: ${engaged.length ? engaged.join(", ") : "nothing armed"}` });
    this.log(`SIGKILL gateway incarnation ${inc?.no ?? "?"} (in flight: ${engaged.join(", ") || "-"}); down ${d.downMs} ms`);
    await sleep(d.downMs);
    await this.#startGateway();
    f.end = Date.now();
  }

  async prosody(d: Extract<Disruption, { kind: "prosody" }>): Promise<void> {
    const { fx, user, ledger } = this.env;
    await user.goOffline();
    const f: Fault = ledger.fault({ at: Date.now(), kind: "prosody-restart", detail: `down ${d.downMs} ms` });
    this.log(`Prosody halt; down ${d.downMs} ms`);
    await fx.prosody.halt();
    await sleep(d.downMs);
    await fx.prosody.resume();
    await user.comeBack();
    f.end = Date.now();
  }

  async dbCut(d: Extract<Disruption, { kind: "db-cut" }>): Promise<void> {
    let inFlight = "";
    if (d.smsInFlight) {
      const caught = await Promise.race([this.env.policies.sms.arm.arm("hang"), sleep(ARM_WAIT_MS).then(() => false as const)]);
      this.env.policies.sms.arm.disarm();
      inFlight = caught ? `; in flight: sms create hung (${caught})` : "";
    }
    const at = Date.now();
    const n = await terminateConnections(this.env.fx.db.url).catch((err: unknown) => {
      this.log(`terminateConnections failed: ${(err as Error).message}`);
      return -1;
    });
    this.env.ledger.fault({ at, end: Date.now(), kind: "db-cut", detail: `${n} connections terminated${inFlight}` });
    this.log(`PostgreSQL: ${n} connections terminated${inFlight}`);
  }

  async #startGateway(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.env.gateway.start();
        return;
      } catch (err) {
        this.log(`gateway start failed (attempt ${attempt}): ${(err as Error).message}`);
        if (attempt >= 5) throw err;
        await sleep(1_000);
      }
    }
  }
}
