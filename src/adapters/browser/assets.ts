/**
 * The browser's two static files, served from its own origin so the Content-Security-Policy
 * can forbid every inline script and style: the little script that keeps a page live, and
 * the style sheet. Plain text, no bundler.
 */

/**
 * Keeps a page live: a `<main data-live="/events?…">` listens to those server-sent events and,
 * on each change, fetches the page again and puts its new `<main>` in place (the server
 * renders and escapes it, as for the first load). `data-updates` counts the updates. A page
 * that costs the server much to render (the image page) says `data-live-every="5"`: it is
 * fetched at most once in those seconds, the changes meanwhile shown by one fetch at the end.
 */
export const LIVE_SCRIPT = `'use strict';
const main = document.querySelector('main[data-live]');
if (main !== null) {
  const source = new EventSource(main.dataset.live);
  const every = Number(main.dataset.liveEvery ?? '0') * 1000;
  let again = false;
  let busy = false;
  let last = -Infinity;
  let waiting = false;
  const refresh = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      do {
        again = false;
        last = Date.now();
        const response = await fetch(location.href, { credentials: 'same-origin' });
        if (!response.ok) break;
        const page = new DOMParser().parseFromString(await response.text(), 'text/html');
        const fresh = page.querySelector('main');
        if (fresh === null) break;
        main.replaceChildren(...fresh.childNodes);
        main.dataset.updates = String(Number(main.dataset.updates ?? '0') + 1);
      } while (again);
    } finally {
      busy = false;
    }
  };
  const changed = () => {
    if (waiting) return;
    const wait = last + every - Date.now();
    if (wait <= 0) { void refresh(); return; }
    waiting = true;
    setTimeout(() => { waiting = false; void refresh(); }, wait);
  };
  source.addEventListener('change', changed);
  source.addEventListener('open', () => { main.dataset.listening = 'yes'; });
}
`;

/** The one style sheet. */
export const STYLE_SHEET = `body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header { background: #22252a; color: #eee; padding: 0.5rem 1rem; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
header a { color: #9cd0ff; }
header form { margin: 0 0 0 auto; }
main { padding: 1rem; max-width: 70rem; }
pre, code, textarea { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #fff; border: 1px solid #ddd; padding: 0.5rem; overflow: auto; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
.refused { border-left: 4px solid #c0392b; background: #fff3f1; padding: 0.5rem 1rem; }
.done { border-left: 4px solid #2e8b57; background: #f0fff4; padding: 0.5rem 1rem; }
.muted { color: #666; }
.diff-add { background: #e6ffed; }
.diff-del { background: #ffeef0; }
form.inline { display: inline; }
details > summary { cursor: pointer; }
ol.conversation { list-style: none; padding: 0; }
ol.conversation li { border-left: 3px solid #9cd0ff; margin: 0.4rem 0; padding: 0.2rem 0.6rem; background: #fff; }
ol.conversation li.assistant { border-left-color: #2e8b57; }
p.said { margin: 0.2rem 0; white-space: pre-wrap; }
svg.chart { width: 100%; max-width: 45rem; height: auto; background: #fff; border: 1px solid #ddd; }
svg.chart .axis { stroke: #999; }
svg.chart .line { stroke: #2b6cb0; stroke-width: 1.5; }
svg.chart .point { fill: #2b6cb0; }
svg.chart text { font: 11px system-ui, sans-serif; fill: #555; }
`;
