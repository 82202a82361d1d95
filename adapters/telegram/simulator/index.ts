export { TelegramSimulator, type TelegramSimulatorOptions } from "./server.ts";
export { REACTION_EMOJI } from "./reactions.ts";
export type {
  BotSpec,
  Chat,
  FailureSpec,
  GroupSpec,
  MediaKind,
  Message,
  MessageEntity,
  MessageReactionUpdated,
  SentMessage,
  TgFile,
  Update,
  User,
  UserMediaOptions,
  UserSendOptions,
  UserSpec,
} from "./types.ts";
