/**
 * The image browser's routes (Hono). Every page reads and every form writes through the Bot,
 * as the signed-in viewer's own message would in chat: the object page with `Bot.inspect`,
 * the audits and image pages with `Bot.audits` and `Bot.imageStats`, history and every write (`undo`, `revert`, `chmod`, `setSlot`) as the very send or command
 * a chat message would carry — so the UVM decides, history records it, the rate limit
 * applies, and a refusal says what chat would. The browser never reads the image itself.
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { Bot } from '../../core/bot/bot.ts';
import type { Child } from 'hono/jsx';
import { textReply, type Reply, type Send } from '../../core/protocol.ts';
import { ROOT } from '../../core/model/primordial.ts';
import { isIdentifier } from '../../core/uvm/parser.ts';
import { THREADS_LISTED, THREADS_SEARCHED } from '../../core/uvm/threads.ts';
import { LIVE_SCRIPT, STYLE_SHEET } from './assets.ts';
import { AuditsPage } from './pages/audits.tsx';
import { ImagePage } from './pages/image.tsx';
import {
  AnswerPage,
  HistoryPage,
  LinkRefusedPage,
  ObjectForm,
  ObjectPage,
  objectHref,
  PersonasPage,
  ThreadPage,
  SignedOutPage,
  SignInPage,
  type DiffQuery,
  type HistoryFilter,
} from './pages.tsx';
import type { Session, SignIns, Viewer } from './sign-in.ts';

/** What the browser asks of the Bot. */
export type BrowserBot = Pick<
  Bot,
  'handle' | 'inspect' | 'audits' | 'imageStats' | 'threads' | 'thread' | 'watch'
>;

/** The session cookie: HttpOnly, SameSite=Strict, expiring with the session. */
export const SESSION_COOKIE = 'batos_session';

/** No inline script or style, nothing from elsewhere, no framing. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** How often an open event stream is told the connection still lives. */
const KEEP_ALIVE_MS = 25_000;
/**
 * The least time between two change events of one page's stream: each event makes the page
 * load itself again, a few milliseconds of the thread that serves sends, so under a stream
 * of commits ten open pages would otherwise cost chat most of its throughput (`npm run
 * bench -- browser`).
 */
export const LIVE_GAP_MS = 1_000;

export interface BrowserAppOptions {
  readonly bot: BrowserBot;
  readonly signIns: SignIns;
  /** Served over https (behind a proxy): the cookie is Secure too. */
  readonly secure: boolean;
  /** The personas' root names (`robin`…), handed in by the composition root. */
  readonly personas: readonly string[];
  /** The root name of the persona that keeps the audits (`alfred`); none: no audits page. */
  readonly auditor?: string;
  /**
   * The SHA-256 of the LoRA adapter file a persona's `adapter` slot names, or why there is
   * none (handed in by the composition root, which knows the LoRA folder).
   */
  readonly adapterChecksum?: (file: string) => Promise<string>;
}

type Env = { Variables: { session: Session } };

/** `text` as a message of `viewer`'s, from where they asked for the link. */
function sendOf(viewer: Viewer, text: string): Send {
  return {
    platform: viewer.platform,
    sender: viewer.sender,
    channel: viewer.channel,
    text,
    mentions: [],
    adminChannel: false,
    reach: 'direct',
  };
}

const replyText = (reply: Reply): string =>
  reply.parts.map((part) => (part.kind === 'text' ? part.text : part.code)).join('\n');

/** What a page shows of a reply. */
const answerOf = (reply: Reply) => ({ status: reply.status, text: replyText(reply) });

const statusOf = (reply: Reply): 200 | 400 | 403 =>
  reply.status === 'ok' ? 200 : reply.status === 'refused' ? 403 : 400;

/** Whether two secrets are equal, in constant time. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The browser as a Hono app. */
export function browserApp({
  bot,
  signIns,
  secure,
  personas,
  auditor,
  adapterChecksum = () => Promise.resolve('not known here'),
}: BrowserAppOptions): Hono<Env> {
  const app = new Hono<Env>();

  app.use(async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    // The sign-in link's token must not travel on in a Referer.
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
  });

  app.get('/static/live.js', (c) =>
    c.body(LIVE_SCRIPT, 200, { 'Content-Type': 'text/javascript' }),
  );
  app.get('/static/style.css', (c) => c.body(STYLE_SHEET, 200, { 'Content-Type': 'text/css' }));

  // A GET only shows whom the link signs in as: link previews (Slack's, Discord's) open it
  // too, and must not use it up. The button POSTs it.
  app.get('/signin', async (c) => {
    const checked = await signIns.check(c.req.query('t') ?? '');
    if ('refused' in checked) return c.html(<LinkRefusedPage why={checked.refused} />, 403);
    return c.html(<SignInPage viewer={checked.viewer} token={c.req.query('t')!} />);
  });
  app.post('/signin', async (c) => {
    const form = await c.req.parseBody();
    const redeemed = await signIns.redeem(typeof form.t === 'string' ? form.t : '');
    if ('refused' in redeemed) return c.html(<LinkRefusedPage why={redeemed.refused} />, 403);
    const { session } = redeemed;
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'Strict',
      secure,
      path: '/',
      expires: new Date(session.expires),
    });
    return c.redirect('/', 303);
  });

  // Everything else is for a signed-in viewer; every POST carries the session's CSRF token.
  app.use(async (c, next) => {
    const session = await signIns.session(getCookie(c, SESSION_COOKIE));
    if (session === undefined) return c.html(<SignedOutPage />, 401);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (typeof form.csrf !== 'string' || !sameSecret(form.csrf, session.csrf))
        return c.html(
          <AnswerPage
            viewer={session.viewer}
            csrf={session.csrf}
            title="Refused"
            status="refused"
            text="This form did not come from a page of this session (its CSRF token is missing or stale); nothing was changed. Reload the page and try again."
            back="/"
          />,
          403,
        );
    }
    c.set('session', session);
    await next();
  });

  app.get('/', (c) => c.redirect('/object?ref=genesis', 303));

  /** A read the Bot refused: its reply, as chat would give it. */
  const refusedPage = (c: Context<Env>, reply: Reply, children?: Child) => {
    const { viewer, csrf } = c.get('session');
    return c.html(
      <AnswerPage viewer={viewer} csrf={csrf} title="Refused" {...answerOf(reply)} back="/">
        {children}
      </AnswerPage>,
      statusOf(reply),
    );
  };

  app.get('/object', async (c) => {
    const { viewer, csrf } = c.get('session');
    const ref = (c.req.query('ref') ?? 'genesis').trim();
    const afterText = c.req.query('after');
    const after = afterText === undefined ? undefined : Number(afterText);
    if (after !== undefined && !Number.isSafeInteger(after))
      return c.text('after must be an oid (a whole number)', 400);
    const found = await bot.inspect(sendOf(viewer, `${ref} describe`), ref, after);
    if ('reply' in found) return refusedPage(c, found.reply, <ObjectForm value={ref} />);
    return c.html(
      <ObjectPage
        viewer={viewer}
        csrf={csrf}
        view={found.view}
        diff={diffQuery(c)}
        after={after}
      />,
    );
  });

  app.get('/history', async (c) => {
    const { viewer, csrf } = c.get('session');
    const filter: HistoryFilter = {
      ref: (c.req.query('ref') ?? c.req.query('tx') ?? '').trim(),
      by: (c.req.query('by') ?? '').trim(),
      from: (c.req.query('from') ?? '').trim(),
      to: (c.req.query('to') ?? '').trim(),
    };
    // One word each, so a field cannot add words of its own to the line chat reads.
    const words = [
      filter.ref,
      ...(['by', 'from', 'to'] as const).flatMap((key) =>
        filter[key] === '' ? [] : [key, filter[key]],
      ),
    ];
    const reply = words.some((word) => /\s/u.test(word))
      ? textReply(
          'error',
          'Each history field takes one word (an object, a person as platform:id, a day or a time); nothing was shown.',
        )
      : await bot.handle(sendOf(viewer, `history ${words.join(' ')}`.trim()));
    return c.html(
      <HistoryPage viewer={viewer} csrf={csrf} filter={filter} {...answerOf(reply)} />,
      statusOf(reply),
    );
  });

  app.get('/personas', async (c) => {
    const { viewer, csrf } = c.get('session');
    const shown = [];
    for (const name of personas) {
      const found = await bot.inspect(sendOf(viewer, `${name} describe`), name);
      if ('reply' in found) shown.push({ name, refusal: replyText(found.reply) });
      else {
        // The file the slot names as the viewer read it: a string value, quoted as chat quotes.
        const slot = found.view.slots.find((s) => s.name === 'adapter');
        const file = slot?.kind === 'value' && slot.text.startsWith('"') ? slot.text : '""';
        const checksum = await adapterChecksum(JSON.parse(file) as string);
        shown.push({ name, view: found.view, checksum });
      }
    }
    const threads = await bot.threads(sendOf(viewer, 'conversations'));
    return c.html(
      <PersonasPage
        viewer={viewer}
        csrf={csrf}
        personas={shown}
        threads={'reply' in threads ? { refusal: replyText(threads.reply) } : threads.view}
        searched={THREADS_SEARCHED}
        listed={THREADS_LISTED}
      />,
    );
  });

  app.get('/thread', async (c) => {
    const { viewer, csrf } = c.get('session');
    const oid = Number(c.req.query('oid'));
    if (!Number.isSafeInteger(oid)) return c.text('oid must be an oid (a whole number)', 400);
    const found = await bot.thread(sendOf(viewer, `#${oid} turns`), `#${oid}`);
    if ('reply' in found) return refusedPage(c, found.reply);
    return c.html(<ThreadPage viewer={viewer} csrf={csrf} thread={found.view} />);
  });

  /** The audits as `viewer` may see them, refused as chat would refuse `alfred lastAudit`. */
  const auditsFor = (viewer: Viewer) =>
    auditor === undefined
      ? { reply: textReply('error', 'No persona keeps audits in this BAT OS.') }
      : bot.audits(sendOf(viewer, `${auditor} lastAudit`), auditor);

  app.get('/audits', async (c) => {
    const { viewer, csrf } = c.get('session');
    const found = await auditsFor(viewer);
    if ('reply' in found) return refusedPage(c, found.reply);
    return c.html(<AuditsPage viewer={viewer} csrf={csrf} audits={found.view.audits} />);
  });

  app.get('/image', async (c) => {
    const { viewer, csrf } = c.get('session');
    const found = await bot.imageStats(sendOf(viewer, 'image stats'));
    if ('reply' in found) return refusedPage(c, found.reply);
    return c.html(<ImagePage viewer={viewer} csrf={csrf} stats={found.view} />);
  });

  /** Performs `text` as the viewer's message and shows what it answered. */
  const perform = async (c: Context<Env>, title: string, text: string, back: string) => {
    const { viewer, csrf } = c.get('session');
    const reply = await bot.handle(sendOf(viewer, text));
    return c.html(
      <AnswerPage viewer={viewer} csrf={csrf} title={title} {...answerOf(reply)} back={back} />,
      statusOf(reply),
    );
  };
  /** A form whose fields do not make a message: refused, nothing sent. */
  const badForm = (c: Context<Env>, what: string) => {
    const { viewer, csrf } = c.get('session');
    return c.html(
      <AnswerPage
        viewer={viewer}
        csrf={csrf}
        title="Refused"
        status="error"
        text={`${what}; nothing was changed.`}
        back="/"
      />,
      400,
    );
  };

  app.post('/undo', async (c) => {
    const form = await c.req.parseBody();
    const tx = typeof form.tx === 'string' ? form.tx.trim() : '';
    if (!/^\d{0,15}$/u.test(tx)) return badForm(c, `"${tx}" is not a transaction number`);
    return perform(c, 'Undo', tx === '' ? 'undo' : `undo ${tx}`, '/history');
  });

  app.post('/revert', async (c) => {
    const { ref, selector, n } = await c.req.parseBody();
    if (!isOidRef(ref) || !isIdentifier(String(selector)) || !/^\d{1,6}$/u.test(String(n)))
      return badForm(c, 'A revert names an object, a method and a version number');
    return perform(c, 'Revert', `revert ${ref} ${selector} ${n}`, backTo(ref));
  });

  app.post('/chmod', async (c) => {
    const { ref, mode } = await c.req.parseBody();
    if (!isOidRef(ref) || !/^[a-z+-]{1,12}$/u.test(String(mode)))
      return badForm(c, 'chmod names an object and a mode (private, shared, public, +w…)');
    return perform(c, 'chmod', `${ref} chmod ${mode}`, backTo(ref));
  });

  app.post('/slot', async (c) => {
    const { ref, slot, value } = await c.req.parseBody();
    if (!isOidRef(ref) || !isIdentifier(String(slot)) || typeof value !== 'string')
      return badForm(c, 'A slot edit names an object, a slot (letters, digits, _) and a value');
    return perform(c, 'Set slot', `${ref} setSlot ${slot} ${value}`, backTo(ref));
  });

  app.post('/logout', async (c) => {
    await signIns.end(c.get('session').id);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure });
    return c.html(<SignedOutPage />);
  });

  // Live pages: an event each time a commit changes the object shown (any commit, for the
  // history). Oids only: the page reads the change again, as its viewer. `audits=1` follows
  // the private audit record for whoever may open the audits page, without naming it;
  // before the first audit there is none, and the root changes when it is made.
  app.get('/events', async (c) => {
    const { viewer } = c.get('session');
    const oidText = c.req.query('oid');
    let oid = oidText === undefined ? undefined : Number(oidText);
    const audits = oid === undefined && c.req.query('audits') !== undefined;
    if (oid !== undefined) {
      if (!Number.isSafeInteger(oid)) return c.text('oid must be a number', 400);
      const found = await bot.inspect(sendOf(viewer, `#${oid} describe`), `#${oid}`);
      if ('reply' in found) return c.text(replyText(found.reply), statusOf(found.reply));
    } else if (audits) {
      const found = await auditsFor(viewer);
      if ('reply' in found) return c.text(replyText(found.reply), statusOf(found.reply));
      oid = found.view.record ?? ROOT;
    }
    return streamSSE(c, async (stream) => {
      let wake = () => {};
      // The transactions that changed it; 0 for another process's, whose number is not told.
      const changed: number[] = [];
      const stop = bot.watch((change) => {
        if (oid !== undefined && change.oids !== 'all' && !change.oids.includes(oid)) return;
        changed.push(change.tx ?? 0);
        wake();
      });
      let endPause = () => {};
      stream.onAbort(() => {
        wake();
        endPause();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: '' });
        while (!stream.aborted) {
          if (changed.length === 0)
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, KEEP_ALIVE_MS).unref();
            });
          const txs = changed.splice(0);
          if (audits && oid === ROOT && txs.length > 0) {
            const found = await auditsFor(viewer);
            if (!('reply' in found)) oid = found.view.record ?? ROOT;
          }
          // A comment keeps proxies from closing a quiet stream.
          if (txs.length === 0) {
            await stream.write(': still here\n\n');
            continue;
          }
          // One event for every change since the last: the page loads itself once for them.
          await stream.writeSSE({ event: 'change', data: txs.join(',') });
          // Then a pause, so a busy image's commits cost each open page one load per
          // LIVE_GAP_MS, not one per commit (changes meanwhile go in the next event).
          await new Promise<void>((resolve) => {
            endPause = resolve;
            setTimeout(resolve, LIVE_GAP_MS).unref();
          });
        }
      } finally {
        stop();
      }
    });
  });

  return app;
}

/** An object as the forms name it: `#` and its oid. */
function isOidRef(ref: unknown): ref is string {
  return typeof ref === 'string' && /^#\d{1,15}$/u.test(ref);
}

/** The page of the object a form named. */
function backTo(ref: string): string {
  return objectHref(Number(ref.slice(1)));
}

/** `?method=greet&from=1&to=2`: the diff the object page shows, if asked for. */
function diffQuery(c: Context<Env>): DiffQuery | undefined {
  const selector = c.req.query('method');
  const from = Number(c.req.query('from'));
  const to = Number(c.req.query('to'));
  if (selector === undefined || !Number.isInteger(from) || !Number.isInteger(to)) return undefined;
  return { selector, from, to };
}
