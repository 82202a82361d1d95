/**
 * What the email adapter needs from the operator's configuration. The config file's
 * `networks.email` section has this shape (plus `domain` and `secret`, which are the XMPP side's),
 * so it can be passed as it is.
 */
export interface EmailAdapterConfig {
  /** Users get `<localpart>@addressDomain`; our own Message-IDs end in it too. */
  addressDomain: string;
  /**
   * The outbound relay, `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`.
   * Holds a password: never logged.
   */
  /** `connections`: mails sent at once through the relay (10 when absent). */
  smtp: { url: string; connections?: number };
  inbound: {
    /** Where our SMTP listener binds; port 0 picks a free port (see `EmailAdapter.inboundAddress`). */
    listenAddress: { host: string; port: number };
    /** Bigger mail is refused with 552 during the SMTP session. */
    maxMessageBytes: number;
  };
  /** DKIM signing of outgoing mail (the public key is published at `<keySelector>._domainkey.<domainName>`). */
  dkim?: { domainName: string; keySelector: string; privateKey: string } | undefined;
  /** Per-step timeout talking to the relay (connect, greeting, each reply); 15 s when omitted. */
  timeoutMs?: number;
  /** Our name in the inbound listener's greeting and in EHLO to the relay; addressDomain when omitted. */
  hostname?: string;
}
