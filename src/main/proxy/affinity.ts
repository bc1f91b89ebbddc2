import { createHash } from 'node:crypto';
import { LAZY_JSON_BYTES } from './body-json';
import type { RequestContext } from './request-context';

/**
 * Conversations remembered at most; past it the one quiet longest is forgotten first (about 150 bytes
 * each: 10 000 ≈ 1.5 MB).
 */
export const AFFINITY_MAX_CONVERSATIONS = 10_000;

/** Where a conversation's previous turn was served. */
export interface AffinityEntry {
  provider: string;
  /** The key of the provider's pool that served it (a fingerprint, see key-pool.ts), when known. */
  keyId: string | null;
  /** Wall-clock ms of its last turn. */
  lastMs: number;
}

/**
 * The key a request's conversation is remembered by: the format's conversation material (a name the
 * client gave, or its opening text; see formats/common/conversation.ts) with the client's format and
 * the model asked for (a prompt cache is per model: Claude Code's Haiku side calls share the session
 * with its main model, and may be routed elsewhere), hashed. Null when the request has none, or is not
 * a generation. `follows`: whether the request continues an earlier turn (see ConversationRef): only
 * then is it held to where that turn went.
 */
export function conversationOf(ctx: RequestContext): { key: string; follows: boolean } | null {
  if (ctx.route.op !== 'generate') return null;
  // A large body is parsed only if a rewrite needs it: its conversation is read from the members read on
  // arrival, so only a name the client gave (metadata.user_id, prompt_cache_key, a header) counts there.
  const large = ctx.body !== null && ctx.body.length >= LAZY_JSON_BYTES;
  const ref = ctx.adapter.conversation(large ? (ctx.view ?? null) : ctx.json, ctx.headers);
  if (ref === null) return null;
  const key = createHash('sha256')
    .update(`${ctx.format}\u0000${ctx.model ?? ''}\u0000${ref.material}`)
    .digest('hex')
    .slice(0, 32);
  return { key, follows: ref.follows };
}

/**
 * Session affinity: which provider (and key) served each conversation's last turn, so the next turn goes
 * there first while it is healthy — its prompt cache is there, and OpenAI's encrypted reasoning is bound
 * to that account. In memory only; an entry lapses after `ttlMs` without a turn, and the map holds at
 * most `max` conversations (least recently served forgotten first).
 */
export class AffinityBook {
  /** Map order = least recently served first. */
  private readonly entries = new Map<string, AffinityEntry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly max: number = AFFINITY_MAX_CONVERSATIONS,
  ) {}

  /** The conversation's entry while its last turn is less than `ttlMs` old; null otherwise (0 = off). */
  get(conversation: string, ttlMs: number): AffinityEntry | null {
    const e = this.entries.get(conversation);
    if (e === undefined) return null;
    if (ttlMs <= 0 || this.now() - e.lastMs >= ttlMs) {
      this.entries.delete(conversation);
      return null;
    }
    return e;
  }

  /**
   * A turn of the conversation was served by `provider` (with `keyId` when known): the next one goes
   * there first. A move to another provider forgets the old key.
   */
  served(conversation: string, provider: string, keyId: string | null = null): void {
    const prev = this.entries.get(conversation);
    const kept = prev !== undefined && prev.provider === provider ? prev.keyId : null;
    this.entries.delete(conversation);
    this.entries.set(conversation, { provider, keyId: keyId ?? kept, lastMs: this.now() });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The key that served the conversation's last turn on `provider`, for the key pool to prefer. */
  keyFor(conversation: string, provider: string): string | undefined {
    const e = this.entries.get(conversation);
    return e !== undefined && e.provider === provider && e.keyId !== null ? e.keyId : undefined;
  }

  /** Conversations remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets every conversation (tests; a reset). */
  clear(): void {
    this.entries.clear();
  }
}
