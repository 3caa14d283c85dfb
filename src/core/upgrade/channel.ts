/**
 * The request channel: signed request files in a folder that the steward watches.
 *
 * File format (`<id>.json`): `{"format": 1, "request": {...}, "signature": "<hex>"}` where the
 * signature is the HMAC-SHA256 of the request's canonical JSON.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { type UpgradeRequest, parseUpgradeRequest } from './request.ts';
import { signPayload, verifyPayload } from './signature.ts';

/** The signed envelope written to disk. */
export interface SignedRequestFile {
  readonly format: 1;
  readonly request: UpgradeRequest;
  readonly signature: string;
}

/** Outcome of reading a request file. */
export type ReadRequestResult =
  | { readonly ok: true; readonly request: UpgradeRequest }
  | { readonly ok: false; readonly reason: string };

/** Whether a file name in the request folder is a request (temporary files start with a dot). */
export function isRequestFileName(name: string): boolean {
  return !name.startsWith('.') && name.endsWith('.json');
}

/**
 * Signs `request` with `key` and writes it atomically as `<dir>/<id>.json`.
 *
 * @returns the path of the written file.
 */
export async function writeUpgradeRequest(
  dir: string,
  request: UpgradeRequest,
  key: string,
): Promise<string> {
  const checked = parseUpgradeRequest(request);
  if (!checked.ok) {
    throw new Error(`invalid upgrade request: ${checked.reason}`);
  }
  const envelope: SignedRequestFile = {
    format: 1,
    request: checked.request,
    signature: signPayload(checked.request, key),
  };
  const file = path.join(dir, `${request.id}.json`);
  await writeFileAtomic(file, `${JSON.stringify(envelope, null, 2)}\n`);
  return file;
}

/**
 * Reads and checks a request file: valid JSON, a good signature, an allowed shape, and a
 * file name matching the id. Never throws for bad content; only for I/O errors.
 */
export async function readUpgradeRequestFile(
  file: string,
  key: string,
): Promise<ReadRequestResult> {
  const text = await readFile(file, 'utf8');
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return { ok: false, reason: 'not a request envelope' };
  }
  const { format, request, signature } = envelope as Record<string, unknown>;
  if (format !== 1) {
    return { ok: false, reason: 'unknown format' };
  }
  if (!verifyPayload(request, signature, key)) {
    return { ok: false, reason: 'missing or bad signature' };
  }
  const checked = parseUpgradeRequest(request);
  if (!checked.ok) {
    return { ok: false, reason: `signed but malformed: ${checked.reason}` };
  }
  if (`${checked.request.id}.json` !== path.basename(file)) {
    return { ok: false, reason: 'file name does not match the request id' };
  }
  return checked;
}
