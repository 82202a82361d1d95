// Secrets the fuzzer itself typed into the gateway (fake Twilio tokens in registration forms,
// signatures it computed): none of them may ever show up in the gateway's logs.

export const typedSecrets = new Set<string>();
export const signaturesSent = new Set<string>();

/** A token that is unmistakable when grepped for, and remembered. */
export function fakeToken(hex: string): string {
  const token = `fuzztok${hex}`;
  typedSecrets.add(token);
  return token;
}
