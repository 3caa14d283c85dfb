/**
 * The image page: the image's statistics as `Uvm.imageStats` gives them to the viewer — the
 * whole image for an admin, the viewer's own objects for anyone else (the page says why) —
 * with the growth chart, the largest objects and the most-called and most-failing methods,
 * every object linked to its page. Live: read again after commits, at most every
 * {@link IMAGE_PAGE_EVERY} seconds.
 */
import type { CalledMethodView, ImageStats } from '../../../core/uvm/image-stats.ts';
import { Layout, objectHref } from '../pages.tsx';
import type { Viewer } from '../sign-in.ts';
import { GrowthChart } from './growth-chart.tsx';

/**
 * The fewest seconds between two live updates of the page: an admin's costs the server about
 * a quarter of a second at 100,000 objects, too much to render again on every commit.
 */
export const IMAGE_PAGE_EVERY = 5;

/** `1234567` → `1,234,567 bytes (1.2 MB)`. */
function bytes(n: number): string {
  const exact = `${n.toLocaleString('en-US')} bytes`;
  if (n < 1_000) return exact;
  const [unit, size] = n < 1e6 ? ['kB', n / 1e3] : n < 1e9 ? ['MB', n / 1e6] : ['GB', n / 1e9];
  return `${exact} (${size.toFixed(1)} ${unit})`;
}

function Methods(props: { id: string; methods: readonly CalledMethodView[]; empty: string }) {
  if (props.methods.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <table id={props.id}>
      <tr>
        <th>method</th>
        <th>calls</th>
        <th>failures</th>
      </tr>
      {props.methods.map((method) => (
        <tr>
          <td>
            <a
              href={`${objectHref(method.holder.oid)}#method-${encodeURIComponent(method.selector)}`}
            >
              {method.holder.label} {method.selector}
            </a>
          </td>
          <td>{String(method.calls)}</td>
          <td>{String(method.failures)}</td>
        </tr>
      ))}
    </table>
  );
}

/** The image's statistics as the viewer may see them. */
export function ImagePage(props: { viewer: Viewer; csrf: string; stats: ImageStats }) {
  const { stats } = props;
  const whole = stats.scope === 'image';
  return (
    <Layout
      title="The image"
      viewer={props.viewer}
      csrf={props.csrf}
      live="/events"
      liveEvery={IMAGE_PAGE_EVERY}
    >
      <h1>{whole ? 'The image' : 'Your objects'}</h1>
      {whole ? null : (
        <p class="refused" id="scope">
          The image's totals, its size and its largest objects are for BAT OS's admins: they would
          tell of objects you may not read. This page counts the objects you own ({stats.principal})
          and lists only methods on objects you may read.
        </p>
      )}
      <table id="totals">
        <tr>
          <th>objects</th>
          <td id="objects">{stats.objects.toLocaleString('en-US')}</td>
        </tr>
        <tr>
          <th>their slots, stored</th>
          <td id="object-bytes">{bytes(stats.objectBytes)}</td>
        </tr>
        {stats.databaseBytes === undefined ? null : (
          <tr>
            <th>the database</th>
            <td id="database-bytes">{bytes(stats.databaseBytes)}</td>
          </tr>
        )}
        {stats.historyBytes === undefined ? null : (
          <tr>
            <th>history kept</th>
            <td id="history-bytes">{bytes(stats.historyBytes)}</td>
          </tr>
        )}
      </table>
      <h2>Growth</h2>
      <p class="muted">
        Objects created per day (UTC) over the last {stats.growthDays} days, as history recorded
        them: days history has forgotten count nothing.
      </p>
      <GrowthChart growth={stats.growth} days={stats.growthDays} today={stats.today} />
      <h2>Largest objects</h2>
      {stats.largest.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <table id="largest">
          <tr>
            <th>object</th>
            <th>owner</th>
            <th>slots, stored</th>
          </tr>
          {stats.largest.map((object) => (
            <tr>
              <td>
                <a href={objectHref(object.oid)}>{object.label}</a>
              </td>
              <td>{object.owner}</td>
              <td>{bytes(object.bytes)}</td>
            </tr>
          ))}
        </table>
      )}
      <p class="muted">
        Calls are counted in this BAT OS process since it started ({stats.countedSince}): read-only
        sends leave no history to count them from.
      </p>
      <h2>Most called methods</h2>
      <Methods
        id="most-called"
        methods={stats.mostCalled}
        empty="No kept method has been called since then."
      />
      <h2>Most failing methods</h2>
      <Methods
        id="most-failing"
        methods={stats.mostFailing}
        empty="No kept method has failed since then."
      />
    </Layout>
  );
}
