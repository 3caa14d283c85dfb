/**
 * The browser's pages, rendered on the server with Hono's JSX, which escapes every value it
 * puts in text or an attribute: a slot holding `<script>` or `javascript:` shows as text.
 * Links are built from oids and fixed paths only, never from a value.
 */
import type { Child } from 'hono/jsx';
import type { StoredTurn } from '../../core/model/thread-turns.ts';
import type { ObjectLink, ObjectView, SlotView, VersionView } from '../../core/uvm/inspection.ts';
import type { ThreadView } from '../../core/uvm/threads.ts';
import { lineDiff } from './diff.ts';
import type { LinkRefusal, Viewer } from './sign-in.ts';

/** Values longer than this (or on several lines) are folded. */
const FOLD_CHARS = 160;

/** The address of an object's page. */
export function objectHref(oid: number): string {
  return `/object?ref=${encodeURIComponent(`#${oid}`)}`;
}

const who = (viewer: Viewer): string => `${viewer.platform}:${viewer.sender.id}`;

/** Every page: the header (who is signed in, the pages, sign out) and its `<main>`. */
export function Layout(props: {
  title: string;
  viewer?: Viewer;
  csrf?: string;
  /** The server-sent events that keep `<main>` live, when the page has any. */
  live?: string;
  /** The fewest seconds between two live updates, for a page costly to render. */
  liveEvery?: number;
  children?: Child;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{`${props.title} · BAT OS`}</title>
        <link rel="stylesheet" href="/static/style.css" />
        <script src="/static/live.js" defer></script>
      </head>
      <body>
        <header>
          <strong>BAT OS</strong>
          {props.viewer === undefined ? null : (
            <>
              <a href="/object?ref=genesis">objects</a>
              <a href="/history">history</a>
              <a href="/personas">personas</a>
              <a href="/audits">audits</a>
              <a href="/image">the image</a>
              <span class="muted">
                {props.viewer.sender.name} ({who(props.viewer)}
                {props.viewer.sender.isAdmin ? ', admin' : ''})
              </span>
              <form method="post" action="/logout">
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit">sign out</button>
              </form>
            </>
          )}
        </header>
        <main data-live={props.live} data-live-every={props.liveEvery}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** The page a `browse` link opens: who it signs in as, and the button that does. */
export function SignInPage(props: { viewer: Viewer; token: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      <p>
        This link signs this browser in as <strong>{props.viewer.sender.name}</strong> (
        {who(props.viewer)}), once.
      </p>
      <form method="post" action="/signin">
        <input type="hidden" name="t" value={props.token} />
        <button type="submit" id="sign-in">
          Sign in
        </button>
      </form>
    </Layout>
  );
}

const LINK_REFUSALS: Readonly<Record<LinkRefusal, string>> = {
  malformed:
    'This is not a sign-in link of this BAT OS (or it was cut short, or it expired more than a day ago).',
  expired: 'This sign-in link has expired.',
  used: 'This sign-in link was used already: each one signs in once.',
};

/** Why a link does not sign in, and how to get one that does. */
export function LinkRefusedPage(props: { why: LinkRefusal }) {
  return (
    <Layout title="Not signed in">
      <p class="refused" id="refusal">
        {LINK_REFUSALS[props.why]} Ask for a new one: say <code>browse</code> to BAT OS in a direct
        message (or at the console).
      </p>
    </Layout>
  );
}

/** A page for someone not signed in. */
export function SignedOutPage() {
  return (
    <Layout title="Signed out">
      <p class="refused" id="refusal">
        You are not signed in (or your session ended). Say <code>browse</code> to BAT OS in a direct
        message (or at the console) for a sign-in link.
      </p>
    </Layout>
  );
}

/** What a read or a write answered: refusals say why, as in chat. */
export function Answer(props: { status: 'ok' | 'error' | 'refused'; text: string }) {
  return (
    <pre class={props.status === 'ok' ? 'done' : 'refused'} id="answer">
      {props.text}
    </pre>
  );
}

/** A POST form carrying the session's CSRF token. */
function Post(props: { action: string; csrf: string; children?: Child }) {
  return (
    <form method="post" action={props.action} class="inline">
      <input type="hidden" name="csrf" value={props.csrf} />
      {props.children}
    </form>
  );
}

function Links(props: { links: readonly ObjectLink[] }) {
  return (
    <>
      {props.links.map((link, i) => (
        <>
          {i > 0 ? ', ' : ''}
          <a href={objectHref(link.oid)}>{link.label}</a>
        </>
      ))}
    </>
  );
}

function Folded(props: { text: string }) {
  if (props.text.length <= FOLD_CHARS && !props.text.includes('\n'))
    return <code>{props.text}</code>;
  return (
    <details>
      <summary>
        <code>{props.text.slice(0, 60).split('\n')[0]}</code>… ({props.text.length} characters)
      </summary>
      <pre>{props.text}</pre>
    </details>
  );
}

/** Which two versions of which method the page shows the difference of. */
export interface DiffQuery {
  readonly selector: string;
  readonly from: number;
  readonly to: number;
}

function Diff(props: { versions: readonly VersionView[]; query: DiffQuery }) {
  const from = props.versions.find((v) => v.n === props.query.from);
  const to = props.versions.find((v) => v.n === props.query.to);
  if (from === undefined || to === undefined)
    return <p class="refused">There are versions 1 to {props.versions.length} to compare.</p>;
  return (
    <pre class="diff" id={`diff-${props.query.selector}`}>
      {lineDiff(from.source, to.source).map((line) => (
        <div class={line.kind === 'same' ? '' : `diff-${line.kind}`}>
          {line.kind === 'add' ? '+ ' : line.kind === 'del' ? '- ' : '  '}
          {line.text}
        </div>
      ))}
    </pre>
  );
}

function Method(props: {
  view: ObjectView;
  slot: Extract<SlotView, { kind: 'method' }>;
  csrf: string;
  diff: DiffQuery | undefined;
}) {
  const { slot, view } = props;
  const p = slot.provenance;
  return (
    <section id={`method-${slot.name}`}>
      <h3>{slot.name}()</h3>
      <p class="muted">
        {p === undefined
          ? 'no provenance kept (defined before BAT OS kept it)'
          : `${p.author === 'model' ? `written by the model${p.model === undefined ? '' : ` (${p.model})`} for` : 'by hand, by'} ${p.by} at ${p.at}${p.owner === undefined ? '' : `; runs as ${p.owner}`}${p.readOnly ? '; may only read' : ''}`}
      </p>
      <pre>{slot.source}</pre>
      {slot.versions.length === 0 ? null : (
        <details open={props.diff !== undefined}>
          <summary>{slot.versions.length} recorded version(s)</summary>
          <table>
            {slot.versions.map((version) => (
              <tr>
                <td>{version.n}</td>
                <td>
                  <a href={`/history?tx=${version.tx}`}>tx {version.tx}</a>
                </td>
                <td>{version.at}</td>
                <td>{version.who}</td>
                <td>{version.origin}</td>
                <td>
                  {version.current ? (
                    'current'
                  ) : (
                    <Post action="/revert" csrf={props.csrf}>
                      <input type="hidden" name="ref" value={`#${view.oid}`} />
                      <input type="hidden" name="selector" value={slot.name} />
                      <input type="hidden" name="n" value={String(version.n)} />
                      <button type="submit" class="revert" data-n={String(version.n)}>
                        revert to {version.n}
                      </button>
                    </Post>
                  )}
                </td>
              </tr>
            ))}
          </table>
          {slot.versions.length < 2 ? null : (
            <form method="get" action="/object">
              <input type="hidden" name="ref" value={`#${view.oid}`} />
              <input type="hidden" name="method" value={slot.name} />
              diff <input name="from" size={3} value={String(props.diff?.from ?? 1)} /> →{' '}
              <input name="to" size={3} value={String(props.diff?.to ?? slot.versions.length)} />
              <button type="submit">compare</button>
            </form>
          )}
          {props.diff === undefined ? null : <Diff versions={slot.versions} query={props.diff} />}
        </details>
      )}
    </section>
  );
}

/** An object's value (and primitive) slots, references linked. */
function SlotTable(props: { view: ObjectView }) {
  return (
    <table class="slots">
      {props.view.slots.map((slot) =>
        slot.kind === 'method' ? null : (
          <tr data-slot={slot.name}>
            <th>{slot.name}</th>
            <td class="value">
              {slot.kind === 'primitive' ? (
                <span class="muted">primitive {slot.primitive}</span>
              ) : (
                <>
                  <Folded text={slot.text} />
                  {slot.refs.length === 0 ? null : (
                    <>
                      {' → '}
                      <Links links={slot.refs} />
                    </>
                  )}
                </>
              )}
            </td>
          </tr>
        ),
      )}
    </table>
  );
}

/** A turn longer than this (or on more lines than {@link TURN_LINES}) is folded. */
const TURN_CHARS = 400;
const TURN_LINES = 6;
/** The turns of each thread the personas page shows; its own page shows them all. */
const TURNS_PREVIEWED = 4;

/** A thread's turns as a chat log: who said what, to or as which persona, and when. */
function Conversation(props: { turns: readonly StoredTurn[] }) {
  return (
    <ol class="conversation">
      {props.turns.map((turn) => (
        <li class={`turn ${turn.role}`}>
          <strong class="speaker">{turn.role === 'user' ? turn.who : turn.persona}</strong>
          {turn.role === 'user' ? <span class="muted"> to {turn.persona}</span> : null}{' '}
          <time class="muted" datetime={turn.at}>
            {turn.at.replace('T', ' ').slice(0, 19)}
          </time>
          {turn.text.length <= TURN_CHARS && turn.text.split('\n').length <= TURN_LINES ? (
            <p class="said">{turn.text}</p>
          ) : (
            <details>
              <summary>
                {turn.text.slice(0, 120).split('\n')[0]}… ({turn.text.length} characters)
              </summary>
              <p class="said">{turn.text}</p>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Who took part in a thread, and the link to it. */
function ThreadHeading(props: { thread: ThreadView }) {
  const { thread } = props;
  return (
    <p class="thread-heading">
      <a href={threadHref(thread.oid)}>conversation #{thread.oid}</a>: {thread.people.join(', ')}{' '}
      with {thread.personas.join(', ') || 'no persona yet'} · {thread.turns.length} turn(s)
    </p>
  );
}

/** The address of a conversation thread's page. */
export function threadHref(oid: number): string {
  return `/thread?oid=${oid}`;
}

/**
 * The personas: each one's slots (voice, aliases, adapter…) as its object page shows them,
 * and the conversations it answered in that the viewer may read.
 */
export function PersonasPage(props: {
  viewer: Viewer;
  csrf: string;
  personas: readonly (
    { name: string; view: ObjectView; checksum: string } | { name: string; refusal: string }
  )[];
  /** The threads the viewer may read, or why none are shown. */
  threads: readonly ThreadView[] | { refusal: string };
  /** How many of the newest transactions were looked at, and the most threads listed. */
  searched: number;
  listed: number;
}) {
  const threads = 'refusal' in props.threads ? [] : props.threads;
  return (
    <Layout title="Personas" viewer={props.viewer} csrf={props.csrf} live="/events">
      <h1>Personas</h1>
      <p id="threads-bound" class="muted">
        Conversations you may read (yours; an admin's, anyone's) that were spoken in within the
        newest {props.searched.toLocaleString('en-US')} transactions, at most {props.listed}, the
        latest first; a conversation keeps its latest turns only.
      </p>
      {'refusal' in props.threads ? <pre class="refused">{props.threads.refusal}</pre> : null}
      {props.personas.map((persona) => {
        const answered = threads.filter((t) =>
          t.personas.some((p) => p.toLowerCase() === persona.name.toLowerCase()),
        );
        return (
          <section id={`persona-${persona.name}`}>
            <h2>{persona.name}</h2>
            {'view' in persona ? (
              <>
                <p>
                  <a href={objectHref(persona.view.oid)}>{persona.view.label}</a> ·{' '}
                  {persona.view.access}
                </p>
                <SlotTable view={persona.view} />
                <p>
                  adapter file SHA-256: <code class="checksum">{persona.checksum}</code>
                </p>
              </>
            ) : (
              <pre class="refused">{persona.refusal}</pre>
            )}
            <h3>Conversations</h3>
            {answered.length === 0 ? (
              <p class="muted">None you may read.</p>
            ) : (
              answered.map((thread) => (
                <div class="thread" id={`thread-${persona.name}-${thread.oid}`}>
                  <ThreadHeading thread={thread} />
                  <Conversation turns={thread.turns.slice(-TURNS_PREVIEWED)} />
                </div>
              ))
            )}
          </section>
        );
      })}
    </Layout>
  );
}

/** One conversation thread, every turn it keeps. */
export function ThreadPage(props: { viewer: Viewer; csrf: string; thread: ThreadView }) {
  const { thread } = props;
  return (
    <Layout
      title={`Conversation #${thread.oid}`}
      viewer={props.viewer}
      csrf={props.csrf}
      live={`/events?oid=${thread.oid}`}
    >
      <h1>Conversation #{thread.oid}</h1>
      <ThreadHeading thread={thread} />
      <Conversation turns={thread.turns} />
    </Layout>
  );
}

/**
 * An object: slots, methods with their versions, parents, children (a page at a time), owner
 * and flags, and its forms.
 */
export function ObjectPage(props: {
  viewer: Viewer;
  csrf: string;
  view: ObjectView;
  diff: DiffQuery | undefined;
  /** Where its children's page begins, when not at the first. */
  after?: number | undefined;
}) {
  const { view, csrf } = props;
  const methods = view.slots.filter((slot) => slot.kind === 'method');
  return (
    <Layout title={view.label} viewer={props.viewer} csrf={csrf} live={`/events?oid=${view.oid}`}>
      <h1 id="label">{view.label}</h1>
      <p id="access">{view.access}</p>
      <p>
        parents: {view.parents.length === 0 ? 'none' : <Links links={view.parents} />} ·{' '}
        <a href={`/history?ref=${encodeURIComponent(`#${view.oid}`)}`}>its history</a>
      </p>
      <p id="children">
        children{props.after === undefined ? '' : ` after #${props.after}`}:{' '}
        {view.children.links.length === 0 ? (
          'none you may read'
        ) : (
          <Links links={view.children.links} />
        )}
        {view.children.next === undefined ? null : (
          <>
            {' '}
            ·{' '}
            <a id="more-children" href={`${objectHref(view.oid)}&after=${view.children.next}`}>
              more
            </a>
          </>
        )}
      </p>
      <h2>Slots</h2>
      <SlotTable view={view} />
      <h2>Methods</h2>
      {methods.length === 0 ? <p class="muted">none of its own</p> : null}
      {methods.map((slot) =>
        slot.kind === 'method' ? (
          <Method
            view={view}
            slot={slot}
            csrf={csrf}
            diff={props.diff?.selector === slot.name ? props.diff : undefined}
          />
        ) : null,
      )}
      <h2>Change it</h2>
      <p class="muted">As a send of yours: in history like any, and refused as chat would.</p>
      <Post action="/slot" csrf={csrf}>
        <input type="hidden" name="ref" value={`#${view.oid}`} />
        set slot <input name="slot" size={12} /> to <input name="value" size={30} />
        <button type="submit">set</button>
      </Post>{' '}
      <Post action="/chmod" csrf={csrf}>
        <input type="hidden" name="ref" value={`#${view.oid}`} />
        <select name="mode">
          <option value="shared">shared</option>
          <option value="private">private</option>
          <option value="public">public</option>
        </select>
        <button type="submit">chmod</button>
      </Post>
    </Layout>
  );
}

/** The object to open. */
export function ObjectForm(props: { value: string }) {
  return (
    <form method="get" action="/object">
      object <input name="ref" value={props.value} /> <button type="submit">open</button>
    </form>
  );
}

/** What the history page was asked to show: each field one word of chat's `history`. */
export interface HistoryFilter {
  readonly ref: string;
  readonly by: string;
  readonly from: string;
  readonly to: string;
}

/** `history` as chat shows it to the viewer, with its filters and `undo`. */
export function HistoryPage(props: {
  viewer: Viewer;
  csrf: string;
  filter: HistoryFilter;
  status: 'ok' | 'error' | 'refused';
  text: string;
}) {
  return (
    <Layout title="History" viewer={props.viewer} csrf={props.csrf} live="/events">
      <h1>History</h1>
      <form method="get" action="/history" id="history-filter">
        <input name="ref" value={props.filter.ref} placeholder="an object, a tx, or all" /> by{' '}
        <input name="by" value={props.filter.by} placeholder="slack:U123" size={14} /> from{' '}
        <input name="from" value={props.filter.from} placeholder="2026-12-01" size={16} /> to{' '}
        <input name="to" value={props.filter.to} placeholder="2026-12-07T18:00" size={16} />{' '}
        <button type="submit">show</button>
      </form>
      <Answer status={props.status} text={props.text} />
      <Post action="/undo" csrf={props.csrf}>
        undo transaction <input name="tx" size={6} placeholder="your last" />
        <button type="submit" id="undo">
          undo
        </button>
      </Post>
    </Layout>
  );
}

/** What a write from a page answered, and the way back. */
export function AnswerPage(props: {
  viewer: Viewer;
  csrf: string;
  title: string;
  status: 'ok' | 'error' | 'refused';
  text: string;
  back: string;
  children?: Child;
}) {
  return (
    <Layout title={props.title} viewer={props.viewer} csrf={props.csrf}>
      <Answer status={props.status} text={props.text} />
      {props.children}
      <p>
        <a href={props.back} id="back">
          back
        </a>
      </p>
    </Layout>
  );
}
