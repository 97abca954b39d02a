// Loaded by path (client, worker and workflow sandbox). Failure messages and stacks may quote remote stderr, so
// both are encoded (then encrypted by the payload codec) in the failure's encodedAttributes, which SDK clients
// and the Web UI's codec endpoint decode. The Web UI's event list, though, shows only the plain `message` field
// (it decodes encodedAttributes only inside an expanded event): instead of the SDK's "Encoded failure", that
// field keeps the message's first line, bounded, cut before any key block.
import {
  DefaultFailureConverter,
  type PayloadConverter,
  type ProtoFailure,
  type SerializationContext,
} from '@temporalio/common';

const MAX_SUMMARY = 300;

/** What stays readable in history: the first line, without key material, at most MAX_SUMMARY characters. */
export function failureSummary(message: string): string {
  const line = message.split('\n', 1)[0].split('-----BEGIN', 1)[0].trim();
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

class SummarizingFailureConverter extends DefaultFailureConverter {
  constructor() {
    super({ encodeCommonAttributes: true });
  }

  override errorToFailure(
    err: unknown,
    payloadConverter: PayloadConverter,
    context?: SerializationContext,
  ): ProtoFailure {
    const failure = super.errorToFailure(err, payloadConverter, context);
    if (!failure.encodedAttributes) return failure;
    const attrs = payloadConverter.fromPayload<{ message?: unknown }>(failure.encodedAttributes, context);
    if (typeof attrs?.message === 'string') failure.message = failureSummary(attrs.message);
    return failure;
  }
}

export const failureConverter = new SummarizingFailureConverter();
