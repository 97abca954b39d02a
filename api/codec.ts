// Codec endpoint for the Temporal Web UI: decodes (and encodes) encrypted payloads so operators can read
// histories. The UI cannot send our bearer header, so the token sits in the path it is configured with:
// `--ui-codec-endpoint http://<api>/codec/<token>`. Without a valid token: 401.
import type { Payload } from '@temporalio/common';
import express, { type Request, type Response, Router } from 'express';
import { EncryptionCodec } from '../common/codec.ts';
import { loadOrCreateKeyring } from '../common/keyring.ts';
import { keyringPath } from '../common/temporal.ts';
import type { TokenStore } from '../common/tokens.ts';
import { problem } from './problem.ts';

export const CODEC_TOKEN_NAME = 'temporal-ui-codec';

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
  router.post('/codec/:token/:op', express.json({ limit: '4mb' }), async (req, res) => {
    cors(req, res);
    if (!tokens.verify(String(req.params.token)))
      return problem(res, 401, 'Unauthorized', 'invalid codec token');
    const op = req.params.op;
    if (op !== 'decode' && op !== 'encode') return problem(res, 404, 'Not Found', 'use /decode or /encode');
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
