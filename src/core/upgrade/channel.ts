/**
 * The request channel: signed request files in a folder that the steward watches.
 *
 * File format (`<id>.json`): `{"format": 1, "request": {...}, "signature": "<hex>"}` where the
 * signature is the HMAC-SHA256 of the request's canonical JSON.
 */
import path from 'node:path';
import { InternalError } from '../errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { readBoundedFile } from './bounded-read.ts';
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
    throw new InternalError(`invalid upgrade request: ${checked.reason}`);
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

/** A signed envelope's parts, or why the file is not one. */
export type OpenedEnvelope =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads a signed envelope `{"format": 1, <field>: …, "signature": …}` from `file` (a regular
 * file of bounded size, read with a time limit) and checks its signature. Never throws for
 * bad content; only for I/O errors.
 */
export async function openSignedEnvelope(
  file: string,
  field: 'request' | 'result',
  key: string,
): Promise<OpenedEnvelope> {
  const read = await readBoundedFile(file);
  if (!read.ok) return read;
  let envelope: unknown;
  try {
    envelope = JSON.parse(read.text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    return { ok: false, reason: `not a ${field} envelope` };
  }
  const { format, signature } = envelope as Record<string, unknown>;
  const payload = (envelope as Record<string, unknown>)[field];
  if (format !== 1) {
    return { ok: false, reason: 'unknown format' };
  }
  if (!verifyPayload(payload, signature, key)) {
    return { ok: false, reason: 'missing or bad signature' };
  }
  return { ok: true, payload };
}

/**
 * Reads and checks a request file: a regular file of bounded size, valid JSON, a good
 * signature, an allowed shape, and a file name matching the id. Never throws for bad
 * content; only for I/O errors.
 */
export async function readUpgradeRequestFile(
  file: string,
  key: string,
): Promise<ReadRequestResult> {
  const opened = await openSignedEnvelope(file, 'request', key);
  if (!opened.ok) return opened;
  const checked = parseUpgradeRequest(opened.payload);
  if (!checked.ok) {
    return { ok: false, reason: `signed but malformed: ${checked.reason}` };
  }
  if (`${checked.request.id}.json` !== path.basename(file)) {
    return { ok: false, reason: 'file name does not match the request id' };
  }
  return checked;
}
