// How Redis answers the stream commands a consumer sends, and what it needs to read them.

/** Redis 6.2 answers an entry deleted from the stream, while pending, as a null or with null fields. */
export type RawEntry = [id: string, fields: string[] | null] | null;
export type ReadReply = [stream: string, entries: RawEntry[]][] | null;
/** Redis 7 adds the ids of pending entries no longer in the stream, which it has dropped from the group. */
export type AutoClaimReply = [cursor: string, claimed: RawEntry[], deleted?: string[]];
export type PendingReply = [id: string, consumer: string, idleMs: number, deliveries: number][];

/** `[field, value, field, value, …]`, as XINFO answers, into a record. */
export function fieldsOf(reply: unknown): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = reply[i + 1];
  return record;
}

/** The milliseconds part of a stream entry id ("1700000000000-0"). */
export const idMs = (id: unknown) => Number(String(id ?? '0').split('-')[0]) || 0;

/**
 * Removes, in one step, the group's other consumers that hold nothing pending and stayed idle
 * at least ARGV[2] ms. Checking and deleting atomically matters: DELCONSUMER drops whatever the
 * consumer holds, so a consumer that read an entry between a separate check and the delete
 * would lose it. Removing a live consumer is harmless otherwise (its next read recreates it).
 */
export const FORGET_IDLE_CONSUMERS = `
local removed = {}
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #consumer, 2 do info[consumer[i]] = consumer[i + 1] end
  if info['name'] ~= ARGV[3] and tonumber(info['pending']) == 0 and tonumber(info['idle']) >= tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    removed[#removed + 1] = info['name']
  end
end
return removed`;

/** `[field, value, …]` as a stream entry holds it, into a Map. */
export function toMap(fields: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  return values;
}
