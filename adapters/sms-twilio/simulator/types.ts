export type MessageStatus = "queued" | "sent" | "delivered" | "failed" | "undelivered";

/** One message accepted by `POST …/Messages.json`; mutated in place as its delivery progresses. */
export interface SimMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  mediaUrls: string[];
  status: MessageStatus;
  statusCallback: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  numSegments: number;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface SimNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  smsUrl: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SimAccount {
  sid: string;
  authToken: string;
  createdAt: Date;
}

export interface FailureSpec {
  status: 429 | 500 | 503;
  code?: number;
  message?: string;
  retryAfterSeconds?: number;
}

export interface Outcome {
  status: "failed" | "undelivered";
  /** Twilio's delivery error code; 30003 (unreachable handset) when omitted. */
  errorCode?: number;
}

export interface InboundOptions {
  from: string;
  to: string;
  body: string;
  mediaUrls?: string[];
  /** Reuse a sid to replay the same webhook, as Twilio does when it retries. */
  messageSid?: string;
  /** Sign with this token instead of the account's, to forge a bad signature. */
  authTokenOverride?: string;
  /** Send no X-Twilio-Signature header at all. */
  unsigned?: boolean;
}

export interface PostResult {
  status: number;
  body: string;
}

export interface InboundResult extends PostResult {
  messageSid: string;
}
