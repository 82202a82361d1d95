import pino, { type Logger } from "pino";

/**
 * Structured JSON logs. Secrets are redacted by key wherever they appear, as a second line of
 * defence: code never logs credentials or message bodies at info level on purpose.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: "switchboard" },
    redact: {
      paths: [
        "*.authToken", "*.auth_token", "*.token", "*.password", "*.secret", "*.secretKey", "*.credentials",
        "*.headers.authorization", "*.headers['x-twilio-signature']", "*.headers['x-telegram-bot-api-secret-token']",
        "authToken", "token", "password", "secret", "credentials", "body",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options, pino.destination(2));
}
