export const USAGE = `Usage: switchboard <command> [options]

Commands:
  start [--migrate]                 run the gateway (with --migrate: apply pending migrations first)
  migrate                           apply pending database migrations
  check-config                      validate the configuration file and exit
  doctor                            check config, database, XMPP server, HTTP port and each network
  demo [--xmpp-port N] [--password P]
                                    try it on this machine with a real XMPP client: a private
                                    Prosody with TLS, simulated SMS/Telegram/email networks and the
                                    gateway, in ./data/demo; prints how to log in (needs no
                                    configuration file; --config is ignored). Ctrl-C stops it
  users list                        list registered users and their networks
  users show <jid>                  a user's registrations, contact and queue counts
  users add <jid> --network <sms|telegram|email> [field=value ...]
                                    register a user, filling the registration form by field var
                                    (sms: number, or account_sid, auth_token and number;
                                     telegram: token; email: localpart, name)
  users remove <jid> [--network N]  unregister a user (from every network, or one)
  contacts list <jid> [--network N] a user's contacts
  numbers list                      the SMS pool and who holds each number
  numbers assign <number> <jid>     register the user on SMS with that pool number
  numbers release <number>          remove the SMS registration holding the number
  queue status                      queued messages by network and state
  queue retry [--network N] [--user JID]
                                    send again the messages that failed because a network could
                                    not be reached (kept 7 days)

Options:
  --config PATH         configuration file (default: $SWITCHBOARD_CONFIG, else ./switchboard.yaml)
  --json                machine-readable output
  -h, --help            this help

Exit status: 0 success, 1 failure (reason on stderr), 2 bad usage.`;

export class UsageError extends Error {}
