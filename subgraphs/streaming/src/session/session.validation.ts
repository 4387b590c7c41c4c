import { badInput, notFound } from '@ott/kit';

const ID_MAX = 64;
const DEVICE_MAX = 64;
const CONTROL_CHARS = /\p{Cc}/u;
const OBJECT_ID = /^[a-f0-9]{24}$/i;
/** Positions beyond a title's runtime are refused; this much slack allows for rounded runtimes. */
const RUNTIME_SLACK = 1.1;
/** The bound when catalog gives no runtime: twelve hours. */
export const UNKNOWN_RUNTIME_MAX_POSITION = 12 * 3_600;

export function validateReference(field: string, raw: string): string {
  const id = raw.trim();
  if (id.length === 0) throw badInput(field, 'must not be empty.');
  if (id.length > ID_MAX || CONTROL_CHARS.test(id)) throw badInput(field, 'is not an id from the catalogue.');
  return id;
}

export function validateDevice(raw: string): string {
  const device = raw.trim();
  if (device.length === 0 || device.length > DEVICE_MAX || CONTROL_CHARS.test(device)) {
    throw badInput('device', `must be 1 to ${DEVICE_MAX} printable characters, e.g. "living-room-tv".`);
  }
  return device;
}

/** Whether a string could be a session id this service issued. */
export const isSessionId = (raw: string) => OBJECT_ID.test(raw);

/** A session id (lower-case hex); one that could never have been issued is simply not found. */
export function parseSessionId(raw: string): string {
  if (!isSessionId(raw)) throw notFound('playback session', raw.slice(0, 64));
  return raw.toLowerCase();
}

export function validatePosition(positionSeconds: number): number {
  if (!Number.isInteger(positionSeconds) || positionSeconds < 0) throw badInput('positionSeconds', `must be 0 or more, got ${positionSeconds}.`);
  return positionSeconds;
}

/** The furthest position a player may report for a title of this runtime. */
export const maxPositionFor = (runtimeSeconds: number | null) =>
  runtimeSeconds === null ? UNKNOWN_RUNTIME_MAX_POSITION : Math.ceil(runtimeSeconds * RUNTIME_SLACK);
