// The free-port helpers live with the private servers in src/demo; tests import them from here.
export { getFreePort, getFreePorts } from "../../src/ports.ts";
