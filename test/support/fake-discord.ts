/**
 * A local stand-in for Discord: an HTTP REST server that records every request and a
 * WebSocket gateway that speaks just enough of the protocol (HELLO, IDENTIFY, READY,
 * GUILD_CREATE, heartbeats, RESUME) for the real discord.js client. 127.0.0.1 only.
 *
 * Sharding as Discord does it: a connection that identifies as shard `[id, count]` gets the
 * events of the guilds with `(guild_id >> 22) % count === id`, and DMs only on shard 0.
 * The fake world has two guilds, one on each shard of two.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { LocalServer } from './local-server.ts';

/** Fixed ids of the fake world. */
export const IDS = {
  guild: '100000000000000001',
  /** A second guild, on shard 1 of 2 (the first is on shard 0). */
  otherGuild: '100000000004194305',
  channel: '100000000000000010',
  listenChannel: '100000000000000011',
  adminChannel: '100000000000000012',
  /** The second guild's one channel. */
  otherChannel: '100000000000000013',
  thread: '100000000000000020',
  dmChannel: '100000000000000030',
  everyoneRole: '100000000000000001',
  memberRole: '100000000000000040',
  bot: '100000000000000900',
  app: '100000000000000901',
  alice: '100000000000000501',
  bob: '100000000000000502',
  otherBot: '100000000000000503',
} as const;

/** One REST request as the fake received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path after `/api/v10`, e.g. `/channels/1/messages`. */
  readonly path: string;
  readonly body: unknown;
  /** `performance.now()` on arrival. */
  readonly at: number;
}

/** A gateway payload as the client sent it. */
export interface GatewayFrame {
  readonly op: number;
  readonly d: unknown;
}

type Json = Record<string, unknown>;

export function user(id: string, username: string, bot = false): Json {
  return { id, username, global_name: username, discriminator: '0', avatar: null, bot };
}

const BOT_USER = user(IDS.bot, 'batos', true);

/** The shard that serves `guildId` out of `count`, as Discord routes it. */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** The guild a fake channel is in; `undefined` for the DM channel. */
function guildOf(channelId: string): string | undefined {
  if (channelId === IDS.dmChannel) return undefined;
  return channelId === IDS.otherChannel ? IDS.otherGuild : IDS.guild;
}

function channel(id: string, name: string, extra: Json = {}): Json {
  return {
    id,
    type: 0,
    name,
    guild_id: guildOf(id),
    position: 0,
    permission_overwrites: [],
    ...extra,
  };
}

/** A role in the fake world. */
function role(id: string, name: string, position: number): Json {
  return {
    id,
    name,
    permissions: '0',
    position,
    color: 0,
    hoist: false,
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

/** GUILD_CREATE's payload for one of the fake guilds. */
function guildCreate(id: string): Json {
  const base = {
    id,
    owner_id: IDS.alice,
    unavailable: false,
    member_count: 3,
    members: [],
    emojis: [],
    stickers: [],
  };
  if (id === IDS.otherGuild)
    return {
      ...base,
      name: 'Other guild',
      roles: [role(id, '@everyone', 0)],
      channels: [channel(IDS.otherChannel, 'elsewhere')],
      threads: [],
    };
  return {
    ...base,
    name: 'Fake guild',
    roles: [role(IDS.everyoneRole, '@everyone', 0), role(IDS.memberRole, 'batos-users', 1)],
    channels: [
      channel(IDS.channel, 'general'),
      channel(IDS.listenChannel, 'batos'),
      channel(IDS.adminChannel, 'batos-admin'),
    ],
    threads: [
      channel(IDS.thread, 'a thread', {
        type: 11,
        parent_id: IDS.channel,
        owner_id: IDS.alice,
        thread_metadata: {
          archived: false,
          auto_archive_duration: 1440,
          archive_timestamp: new Date(0).toISOString(),
          locked: false,
        },
      }),
    ],
  };
}

/** The fake Discord. Start with {@link FakeDiscord.start}; close in afterAll. */
export class FakeDiscord extends LocalServer {
  protected readonly label = 'fake-discord';
  readonly requests: RecordedRequest[] = [];
  readonly frames: GatewayFrame[] = [];
  /** Connections the gateway has accepted so far. */
  connections = 0;
  /** Bot tokens the REST API answers 401 Unauthorized, as Discord does for a wrong token. */
  readonly rejectedTokens = new Set<string>();
  /** The shard count `GET /gateway/bot` recommends. */
  recommendedShards = 1;
  /** Each dispatch as delivered: to which shard, which event, and the payload's id. */
  readonly deliveries: { readonly shard: number; readonly t: string; readonly id: unknown }[] = [];
  /** The shard `[id, count]` each connection identified as. */
  readonly #shards = new WeakMap<WebSocket, readonly [number, number]>();
  #seq = 0;
  #nextId = 200000000000000000n;

  static async start(): Promise<FakeDiscord> {
    const fake = new FakeDiscord();
    await fake.listen();
    return fake;
  }

  /** The REST base to give the client (`/v10` is appended by discord.js). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** A fresh snowflake. */
  id(): string {
    return String(this.#nextId++);
  }

  /**
   * Sends a dispatch event to every connected client whose shard serves it: the shard of the
   * payload's `guild_id`, or shard 0 for events outside guilds (DMs).
   */
  dispatch(t: string, d: unknown): void {
    const guildId = (d as { guild_id?: unknown } | null)?.guild_id;
    for (const socket of this.sockets) {
      const [shard, count] = this.#shards.get(socket) ?? [0, 1];
      const serving = typeof guildId === 'string' ? shardOfGuild(guildId, count) : 0;
      if (serving !== shard) continue;
      this.deliveries.push({ shard, t, id: (d as { id?: unknown } | null)?.id });
      this.#send(socket, { op: 0, t, s: ++this.#seq, d });
    }
  }

  /** A guild text message (or a DM when `channelId` is the DM channel) from `author`. */
  message(opts: {
    channelId: string;
    content: string;
    author: Json;
    mentions?: Json[];
    roles?: string[];
  }): Json {
    const guildId = guildOf(opts.channelId);
    return {
      id: this.id(),
      type: 0,
      channel_id: opts.channelId,
      // Discord names the channel type on DM messages; discord.js needs it to build the channel.
      ...(guildId === undefined
        ? { channel_type: 1 }
        : {
            guild_id: guildId,
            member: {
              roles: opts.roles ?? [],
              joined_at: new Date(0).toISOString(),
              deaf: false,
              mute: false,
              flags: 0,
            },
          }),
      author: opts.author,
      content: opts.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: opts.mentions ?? [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
    };
  }

  /** Dispatches MESSAGE_CREATE and returns the message. */
  say(opts: Parameters<FakeDiscord['message']>[0]): Json {
    const message = this.message(opts);
    this.dispatch('MESSAGE_CREATE', message);
    return message;
  }

  /** Dispatches a slash command interaction and returns it. */
  command(name: string, options: Json[], from: Json, channelId: string = IDS.channel): Json {
    const interaction = {
      id: this.id(),
      application_id: IDS.app,
      type: 2,
      token: `itoken-${this.id()}`,
      version: 1,
      guild_id: IDS.guild,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: IDS.guild },
      member: {
        user: from,
        roles: [],
        permissions: '2248473465835073',
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      },
      data: { id: this.id(), name, type: 1, options },
      locale: 'en-US',
      guild_locale: 'en-US',
      app_permissions: '2248473465835073',
      entitlements: [],
      authorizing_integration_owners: { '0': IDS.guild },
      context: 0,
    };
    this.dispatch('INTERACTION_CREATE', interaction);
    return interaction;
  }

  /** Closes every gateway connection with `code`, or cuts it without a close frame. */
  drop(code: number | 'terminate'): void {
    for (const socket of this.sockets) {
      if (code === 'terminate') socket.terminate();
      else socket.close(code, 'fake drop');
    }
  }

  /** Resolves with the first request matching `match` (already recorded or still to come). */
  async waitForRequest(
    match: (request: RecordedRequest) => boolean,
    timeoutMs = 5_000,
  ): Promise<RecordedRequest> {
    return this.until(() => this.requests.find(match), timeoutMs);
  }

  /** Resolves with the first gateway frame matching `match`. */
  async waitForFrame(
    match: (frame: GatewayFrame) => boolean,
    timeoutMs = 10_000,
  ): Promise<GatewayFrame> {
    return this.until(() => this.frames.find(match), timeoutMs);
  }

  /** Requests to post or edit messages, in order. */
  messageRequests(): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        /\/messages/.test(r.path) ||
        /^\/webhooks\//.test(r.path) ||
        /^\/interactions\//.test(r.path),
    );
  }

  #send(socket: WebSocket, payload: unknown): void {
    socket.send(JSON.stringify(payload));
  }

  protected onConnection(socket: WebSocket): void {
    this.connections++;
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as GatewayFrame;
      this.frames.push(frame);
      if (frame.op === 1) this.#send(socket, { op: 11, d: null });
      if (frame.op === 2) this.#identify(socket, frame.d as { shard?: [number, number] });
      if (frame.op === 6) this.#send(socket, { op: 0, t: 'RESUMED', s: ++this.#seq, d: {} });
      this.notify();
    });
    this.#send(socket, { op: 10, d: { heartbeat_interval: 45_000 } });
  }

  #identify(socket: WebSocket, identify: { shard?: [number, number] }): void {
    const [shard, count] = identify.shard ?? [0, 1];
    this.#shards.set(socket, [shard, count]);
    const guilds = [IDS.guild, IDS.otherGuild].filter((id) => shardOfGuild(id, count) === shard);
    const gateway = `ws://127.0.0.1:${this.port}`;
    this.#send(socket, {
      op: 0,
      t: 'READY',
      s: ++this.#seq,
      d: {
        v: 10,
        user: BOT_USER,
        guilds: guilds.map((id) => ({ id, unavailable: true })),
        session_id: 'fake-session',
        resume_gateway_url: gateway,
        application: { id: IDS.app, flags: 0 },
        private_channels: [],
        shard: [shard, count],
      },
    });
    for (const id of guilds)
      this.#send(socket, { op: 0, t: 'GUILD_CREATE', s: ++this.#seq, d: guildCreate(id) });
  }

  protected onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
      const text = Buffer.concat(chunks).toString();
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      const method = req.method ?? 'GET';
      this.requests.push({ method, path, body, at: performance.now() });
      const token = req.headers.authorization?.replace(/^Bot /, '');
      const [status, answer] =
        token !== undefined && this.rejectedTokens.has(token)
          ? [401, { message: '401: Unauthorized', code: 0 }]
          : this.#route(method, path, body);
      if (answer === undefined) res.writeHead(status).end();
      else
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      this.notify();
    });
  }

  #postedMessage(channelId: string, body: unknown, id = this.id()): Json {
    const content = (body as { content?: string } | undefined)?.content ?? '';
    return {
      ...this.message({ channelId, content, author: BOT_USER }),
      id,
    };
  }

  #route(method: string, path: string, body: unknown): [number, unknown] {
    let m: RegExpMatchArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return [
        200,
        {
          url: `ws://127.0.0.1:${this.port}`,
          shards: this.recommendedShards,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      ];
    }
    if (method === 'PUT' && /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path)) {
      const commands = body as Json[];
      return [
        200,
        commands.map((c) => ({ ...c, id: this.id(), application_id: IDS.app, version: '1' })),
      ];
    }
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/typing$/)))
      return [204, undefined];
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages$/))) {
      return [200, this.#postedMessage(m[1]!, body)];
    }
    if (method === 'PATCH' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/))) {
      return [200, this.#postedMessage(m[1]!, body, m[2]!)];
    }
    if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path))
      return [204, undefined];
    if ((m = path.match(/^\/webhooks\/\d+\/[^/]+(?:\/messages\/(@original|\d+))?$/))) {
      const id = m[1] === undefined || m[1] === '@original' ? this.id() : m[1];
      return [200, this.#postedMessage(IDS.channel, body, id)];
    }
    return [404, { message: 'Unknown route (fake)', code: 0 }];
  }
}
