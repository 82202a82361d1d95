// Every migration, in order. Listed explicitly so no glob can silently find none.
import { Initial1764057600000 } from "./1764057600000-Initial.ts";
import { RichMessages1764144000000 } from "./1764144000000-RichMessages.ts";
import { ContactAddressCase1764230400000 } from "./1764230400000-ContactAddressCase.ts";
import { RecordSentFunction1764316800000 } from "./1764316800000-RecordSentFunction.ts";
import { RetryableFailures1764403200000 } from "./1764403200000-RetryableFailures.ts";

export const migrations = [Initial1764057600000, RichMessages1764144000000, ContactAddressCase1764230400000, RecordSentFunction1764316800000, RetryableFailures1764403200000];
