/**
 * The image page's growth chart: objects created per UTC day, drawn on the server as an
 * inline SVG — no chart library and no script, so the Content-Security-Policy forbids
 * nothing it needs (its colours are presentation attributes and the style sheet's classes).
 */
import type { DayCount } from '../../../core/uvm/image-stats.ts';

const WIDTH = 720;
const HEIGHT = 180;
/** Room for the axis labels. */
const PAD = { left: 40, right: 12, top: 12, bottom: 26 };

/** Whole days from `from` to `to` (`YYYY-MM-DD`, UTC). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * One point per day that created objects, placed by its date across `days` days ending
 * `today`, joined by a line; each point's `<title>` says its day and count.
 */
export function GrowthChart(props: { growth: readonly DayCount[]; days: number; today: string }) {
  const { growth, days, today } = props;
  if (growth.length === 0)
    return <p class="muted">History records no object created in the last {days} days.</p>;
  const most = Math.max(...growth.map((day) => day.created));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const points = growth.map((day) => {
    const back = daysBetween(day.day, today);
    return {
      ...day,
      x: PAD.left + (plotWidth * (days - 1 - back)) / Math.max(1, days - 1),
      y: PAD.top + plotHeight * (1 - day.created / most),
    };
  });
  const first = new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const bottom = PAD.top + plotHeight;
  return (
    <svg
      id="growth"
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Objects created per day over the last ${days} days`}
    >
      <line class="axis" x1={PAD.left} y1={bottom} x2={WIDTH - PAD.right} y2={bottom} />
      <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={bottom} />
      <text x={PAD.left - 6} y={PAD.top + 4} text-anchor="end">
        {String(most)}
      </text>
      <text x={PAD.left - 6} y={bottom} text-anchor="end">
        0
      </text>
      <text x={PAD.left} y={HEIGHT - 6}>
        {first}
      </text>
      <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end">
        {today}
      </text>
      <polyline
        class="line"
        fill="none"
        points={points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}
      />
      {points.map((p) => (
        <circle
          class="point"
          cx={p.x.toFixed(1)}
          cy={p.y.toFixed(1)}
          r="3"
          data-day={p.day}
          data-created={String(p.created)}
        >
          <title>{`${p.day}: ${p.created} created`}</title>
        </circle>
      ))}
    </svg>
  );
}
