// Private keys quoted in text (a remote command's output inside an error message) never travel further:
// pure, so workflows may use it on the failure messages they keep and report.

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

export const KEY_REMOVED = '(private key removed)';

/** The text with every PEM private key block (or an unterminated one, to the end) replaced by a marker. */
export function withoutKeyMaterial(text: string): string {
  return text.replace(PRIVATE_KEY_BLOCK, KEY_REMOVED);
}
