/**
 * The personas' side of the bot: implements the bot's `Conversation` hook. Every message is
 * read here too, within the bot's one read of it: what is not for a persona (see
 * `intent.ts`) goes back to the bot untouched, a send a persona understands goes back as a
 * send for the bot's one send path, and a turn or an audit is answered here, with the thread
 * as that read found it.
 *
 * A conversation turn speaks with the persona's voice as the system prompt and its adapter
 * (one pooled context per adapter in the mind, kept across turns, with a sequence per
 * thread, so the thread's next turn evaluates only what is new), with the thread's
 * history from the image; the reply streams through `events.partial`, then the user's turn
 * and the reply are appended to the thread in one short transaction. When the model fails,
 * nothing is stored: the image is as if the message never came.
 */
import type { Conversation, PersonaPlan, SendLine } from '../core/bot/bot.ts';
import { assertCommand } from '../core/access/commands.ts';
import type { Caller } from '../core/access/principal.ts';
import { DEFAULT_QUOTAS } from '../core/access/quotas.ts';
import { FairSlots } from '../core/fairness/index.ts';
import type { ChatTurn, MindService } from '../core/mind/index.ts';
import { DEFAULT_SEQUENCES } from '../core/mind/config.ts';
import { MindError } from '../core/mind/errors.ts';
import type { Transaction } from '../core/image/index.ts';
import { textReply, type Reply, type ReplyEvents, type Send } from '../core/protocol.ts';
import type { Argument } from '../core/uvm/parser.ts';
import type { Uvm } from '../core/uvm/uvm.ts';
import { transactionInfo } from '../core/uvm/delivery.ts';
import { adapterFile, type AdapterChoice } from './adapter-file.ts';
import { runAudit, type AuditOptions } from './audit.ts';
import { recordAudit } from './audit-record.ts';
import { renderAuditReport } from './audit-report.ts';
import { DEFAULT_HISTORY_LIMITS, trimHistoryInSteps, type HistoryLimits } from './history.ts';
import { DEFAULT_PERSONA } from './names.ts';
import { readIntent } from './intent.ts';
import { MemoryDesk, type MemoryOptions } from './memory/desk.ts';
import { AUDIT_PRIMITIVE } from './primitives.ts';
import { personaNamed, readPersonas, type PersonaRecord } from './records.ts';
import { routeText } from './route.ts';
import { appendTurns, readThread, threadKey, type StoredTurn } from './threads.ts';

export interface ConversationOptions {
  readonly uvm: Uvm;
  /** The loaded model; absent when there is none, and then personas cannot speak. */
  readonly mind?: Pick<MindService, 'chat' | 'choose' | 'servedAdapters'>;
  /** A note every persona reply carries, e.g. that it comes from the forged test model. */
  readonly modelNote?: string;
  /** Why there is no model and how to get one (the mind's `howToGetAModel`). */
  readonly noModelReason?: string;
  /** The folder of the personas' adapter files (BATOS_LORA_DIR, default `lora`). */
  readonly loraDir: string;
  /** The sandbox's compile check, for the audit an admin runs with `collect`. */
  readonly checkMethod: (source: string) => void;
  /** Tuning of that audit (as given to the `auditPersistence` primitive). */
  readonly audit?: Omit<AuditOptions, 'checkMethod'>;
  /** The persona for free text the rules and the model cannot place ({@link DEFAULT_PERSONA}). */
  readonly defaultPersona?: string;
  /** The most turns a thread keeps and a prompt sees ({@link DEFAULT_HISTORY_LIMITS}). */
  readonly historyTurns?: number;
  /** The most characters of those turns, all together ({@link DEFAULT_HISTORY_LIMITS}). */
  readonly historyChars?: number;
  /**
   * Persona turns generated at once (the mind's sequences, default {@link DEFAULT_SEQUENCES}):
   * people waiting beyond them are served round robin, one turn each while others wait.
   */
  readonly turnsAtOnce?: number;
  /** The most threads one person may start (default {@link DEFAULT_QUOTAS}). */
  readonly maxThreadsPerUser?: number;
  /** What each person's memory keeps and what a turn recalls (see `memory/desk.ts`). */
  readonly memory?: MemoryOptions;
}

export class PersonaConversation implements Conversation {
  private readonly limits: HistoryLimits;
  /** The model's turns, shared fairly between people (as the method writer's are). */
  private readonly turns: FairSlots;
  private readonly memory: MemoryDesk;

  constructor(private readonly options: ConversationOptions) {
    this.memory = new MemoryDesk(options.uvm, options.memory);
    this.turns = new FairSlots({
      capacity: options.turnsAtOnce ?? DEFAULT_SEQUENCES,
      share: 1,
      lend: true,
    });
    this.limits = {
      maxTurns: options.historyTurns ?? DEFAULT_HISTORY_LIMITS.maxTurns,
      maxChars: options.historyChars ?? DEFAULT_HISTORY_LIMITS.maxChars,
    };
  }

  read(
    ...[tx, send, caller, reading, room]: Parameters<Conversation['read']>
  ): PersonaPlan | undefined {
    const intent = readIntent(tx, send.text, reading);
    const sendTo = (p: PersonaRecord, selector: string, args: readonly Argument[]): SendLine => ({
      kind: 'send',
      target: { kind: 'oid', oid: p.oid },
      selector,
      args,
    });
    switch (intent.kind) {
      case 'none':
        return undefined;
      case 'send':
        return { kind: 'send', line: sendTo(intent.persona, intent.selector, intent.args) };
      case 'audit':
        if (!intent.collect)
          return {
            kind: 'send',
            line: sendTo(intent.persona, AUDIT_PRIMITIVE, []),
            persona: intent.persona.name,
          };
        return { kind: 'answer', answer: () => this.auditAndCollect(intent.persona, send, caller) };
      case 'turn': {
        const memory = this.memory.read(tx, intent.text, send, caller, intent.persona.name);
        if (memory !== undefined) return memory;
        const stored = readThread(tx, threadKey(send));
        return {
          kind: 'answer',
          answer: (events) =>
            this.turn([intent.persona], intent.text, stored, send, caller, events),
        };
      }
      case 'scene': {
        const stored = readThread(tx, threadKey(send));
        return {
          kind: 'answer',
          answer: (events) => this.turn(intent.personas, intent.text, stored, send, caller, events),
        };
      }
      case 'unaddressed': {
        const memory = this.memory.read(tx, send.text, send, caller);
        if (memory !== undefined) return memory;
        const stored = readThread(tx, threadKey(send));
        // A persona bound to the place answers what names none there; elsewhere the router.
        const bound = intent.personas.find((p) => p.name === room.persona?.name);
        if (bound !== undefined)
          return {
            kind: 'answer',
            answer: (events) => this.turn([bound], send.text.trim(), stored, send, caller, events),
          };
        return {
          kind: 'answer',
          answer: async (events) => {
            const routed = await routeText(
              send.text,
              intent.personas,
              this.options.defaultPersona ?? DEFAULT_PERSONA,
              this.options.mind,
            );
            // The note goes in the reply, where every front end shows it once; not as a status too.
            const text = send.text.trim();
            return this.turn([routed.persona], text, stored, send, caller, events, routed.note);
          },
        };
      }
    }
  }

  personaNamed(tx: Transaction, word: string): string | undefined {
    return personaNamed(readPersonas(tx), word);
  }

  /**
   * Admins only: collects what the root cannot reach, then audits the image as it is left
   * and keeps that summary (with how many objects were collected).
   */
  private async auditAndCollect(
    persona: PersonaRecord,
    send: Send,
    caller: Caller,
  ): Promise<Reply> {
    assertCommand(caller, 'audit-collect');
    const { uvm, checkMethod, audit } = this.options;
    const collected = await uvm.collect(caller);
    const audited = await uvm.examineImage((image) => runAudit(image, { ...audit, checkMethod }));
    const { result: summary, tx } = await uvm.asSystem(transactionInfo(caller, send.text), (t) => {
      const withCollected = { ...audited, collected: collected.deleted };
      recordAudit(t, withCollected);
      return withCollected;
    });
    return textReply('ok', renderAuditReport(summary), {
      persona: persona.name,
      ...(tx === undefined ? {} : { tx }),
    });
  }

  /**
   * A turn in the thread of `send`, which held `stored` when the message was read: the one
   * persona answers, or in a scene (several) each answers in turn, hearing what the ones
   * before it said; the thread then records the message and every answer, each under its
   * persona. When any fails, nothing is kept.
   */
  private async turn(
    personas: readonly PersonaRecord[],
    text: string,
    stored: readonly StoredTurn[],
    send: Send,
    caller: Caller,
    events: ReplyEvents,
    note?: string,
  ): Promise<Reply> {
    const { mind, uvm } = this.options;
    const solo = personas.length === 1 ? { persona: personas[0]!.name } : {};
    const notes = [note, this.options.modelNote].flatMap((n) =>
      n === undefined ? [] : [{ kind: 'text' as const, text: `(${n})` }],
    );
    const failed = (why: string): Reply => ({
      status: 'error',
      ...solo,
      parts: [...notes, { kind: 'text', text: why }],
    });
    if (mind === undefined)
      return failed(
        `${personas[0]!.name} cannot speak without a model. ${this.options.noModelReason ?? 'No model is loaded.'}`,
      );
    const key = threadKey(send);
    const userTurn: StoredTurn = {
      role: 'user',
      persona: personas.map((p) => p.name).join(' and '),
      who: caller.principal,
      text,
      at: new Date().toISOString(),
    };
    // Trimmed in steps, as the thread is stored: the prompt keeps its beginning for several
    // turns, and the mind evaluates only what follows the part its sequence holds.
    const window = trimHistoryInSteps([...stored, userTurn], this.limits);
    const history = window.slice(0, -1).map((t): ChatTurn => ({ role: t.role, text: t.text }));
    // What the window left behind may still be recalled, with the person's memories.
    const older = stored.slice(0, stored.length + 1 - window.length);
    const recalled = await this.memory.recall(caller, window[window.length - 1]!.text, older);
    const answers: StoredTurn[] = [];
    // A scene's answers are each labelled with who said it; a lone persona's, by the reply.
    const said = (name: string, what: string) => ('persona' in solo ? what : `${name}: ${what}`);
    for (const persona of personas) {
      let adapter: AdapterChoice;
      try {
        adapter = adapterFile(this.options.loraDir, persona, mind.servedAdapters);
      } catch (error) {
        return failed((error as Error).message);
      }
      // In a scene each persona hears the others' answers so far, after the message.
      const heard = answers.map((a) => `\n\n(${a.persona} said: ${a.text})`).join('');
      const before = answers.map((a) => `${said(a.persona, a.text)}\n\n`).join('');
      let reply: string;
      try {
        reply = await this.turns.run(
          caller.principal,
          () =>
            mind.chat({
              ...(adapter.kind === 'file'
                ? { adapter: { path: adapter.path, scale: adapter.scale } }
                : {}),
              systemPrompt: persona.voice,
              thread: key,
              history,
              text: recalled.text + heard,
              ...(events.partial
                ? {
                    onPartial: (soFar: string) =>
                      events.partial?.(before + said(persona.name, soFar)),
                  }
                : {}),
              ...(events.signal ? { signal: events.signal } : {}),
            }),
          events.signal,
        );
      } catch (error) {
        if (events.signal?.aborted && !(error instanceof MindError))
          return failed(`${persona.name} was cancelled before speaking; nothing was changed.`);
        if (!(error instanceof MindError)) throw error;
        return failed(
          `${persona.name} could not answer, and nothing was changed: ${error.message}`,
        );
      }
      answers.push({
        role: 'assistant',
        persona: persona.name,
        who: persona.name,
        text: reply,
        at: new Date().toISOString(),
      });
    }
    const { tx } = await uvm.asSystem(transactionInfo(caller, send.text), (t) => {
      appendTurns(t, key, [userTurn, ...answers], this.limits, {
        principal: caller.principal,
        bounded: !caller.admin,
        maxThreads: this.options.maxThreadsPerUser ?? DEFAULT_QUOTAS.maxThreadsPerUser,
      });
    });
    const noticed = await this.memory.notice(mind, caller, send, personas[0]!.name, text);
    return {
      status: 'ok',
      ...solo,
      parts: [
        ...notes,
        ...answers.map((a) => ({ kind: 'text' as const, text: said(a.persona, a.text) })),
        ...(noticed === undefined ? [] : [{ kind: 'text' as const, text: `(${noticed})` }]),
      ],
      ...(tx === undefined ? {} : { tx }),
    };
  }
}
