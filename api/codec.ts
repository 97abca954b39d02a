// Codec endpoint for the Temporal Web UI: decodes (and encodes) encrypted payloads so operators can read
// histories. The UI cannot send our bearer header, so the token sits in the path it is configured with
// (`ui-codec-endpoint: http://<api>/codec/<token>`), which the UI shows to anyone: that token has scope
// `codec` and only decodes. Without a valid token: 401, checked before the body is read; encode needs `operate`.
import type { Payload } from '@temporalio/common';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { EncryptionCodec } from '../common/codec.ts';
import { loadOrCreateKeyring } from '../common/keyring.ts';
import { allows } from '../common/scopes.ts';
import { keyringPath } from '../common/temporal.ts';
import type { TokenStore } from '../common/tokens.ts';
import { forbidden } from './auth/bearer.ts';
import { problem } from './problem.ts';

export const CODEC_TOKEN_NAME = 'temporal-ui-codec';
/** Histories can carry large payloads; the 413 names this limit. */
export const CODEC_BODY_LIMIT = 4 * 1024 * 1024;

/** Replaces the Web UI's codec token with a new one of scope `codec` and returns it. */
export function renewCodecToken(tokens: TokenStore): string {
  tokens.revoke(CODEC_TOKEN_NAME);
  return tokens.create(CODEC_TOKEN_NAME, 'codec');
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

function cors(req: Request, res: Response): void {
  const origin = req.get('origin');
  if (origin && /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) {
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.set('Access-Control-Allow-Headers', 'content-type, x-namespace');
  }
}

export function codecRouter(tokens: TokenStore): Router {
  const router = Router();
  router.options('/codec/:token/:op', (req, res) => {
    cors(req, res);
    res.sendStatus(204);
  });
  const json = express.json({ limit: CODEC_BODY_LIMIT });
  router.post('/codec/:token/:op', authorize(tokens), json, async (req, res) => {
    const op = req.params.op;
    const codec = new EncryptionCodec(loadOrCreateKeyring(keyringPath()));
    const payloads = ((req.body as { payloads?: JsonPayload[] }).payloads ?? []).map(fromJson);
    try {
      const out = op === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
      res.json({ payloads: out.map(toJson) });
    } catch {
      problem(res, 400, 'Bad Request', 'payloads could not be decoded with this keyring');
    }
  });
  return router;
}

/** Token, operation and scope, before the body is read: an unauthenticated post costs no parsing. */
function authorize(tokens: TokenStore) {
  return (req: Request, res: Response, next: NextFunction) => {
    cors(req, res);
    const token = tokens.identify(String(req.params.token));
    if (!token) return problem(res, 401, 'Unauthorized', 'invalid codec token');
    const op = req.params.op;
    if (op !== 'decode' && op !== 'encode') return problem(res, 404, 'Not Found', 'use /decode or /encode');
    if (op === 'encode' && !allows(token.scope, 'operate'))
      return next(forbidden(token.name, token.scope, 'operate'));
    next();
  };
}
