export const USAGE = `Usage: switchboard <command> [options]

Commands:
  start [--migrate]     run the gateway (with --migrate: apply pending migrations first)
  migrate               apply pending database migrations
  check-config          validate the configuration file and exit
  users list            list registered users and their networks

Options:
  --config PATH         configuration file (default: $SWITCHBOARD_CONFIG, else ./switchboard.yaml)
  --json                machine-readable output
  -h, --help            this help

Exit status: 0 success, 1 failure (reason on stderr), 2 bad usage.`;

export class UsageError extends Error {}
