// The tests' private Prosody is the demo's (src/demo/prosody.ts): one implementation of the
// config, start, stop and user registration. Without `tls` it is the plaintext, PLAIN-only
// server @xmpp/client can log in to, on free loopback ports in a temporary directory.
export { startProsody, type ProsodyInstance, type ProsodyOptions } from "../../src/demo/prosody.ts";
