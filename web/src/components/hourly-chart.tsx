// Messages per hour by outcome over the last 24 hours, as a picture: stacked bars in inline SVG, one
// per hour, with a legend. The picture has a text alternative saying the same in a sentence.
import type { ComponentChildren } from 'preact';

export interface Hour { at: string; counts: Record<string, number> }

// Colours with at least 3:1 against white (WCAG non-text contrast), told apart by the legend too.
const COLOURS: Record<string, string> = { imported: '#146c2e', commented: '#0b5cad', skipped: '#6b5300', ignored: '#5a6472', failed: '#b3261e', pending: '#7b3fa0' };
const ORDER = ['imported', 'commented', 'skipped', 'ignored', 'failed', 'pending'];
const W = 480, H = 140, PAD = 24;

export function HourlyChart({ hours }: { hours: Hour[] }) {
  const totals = hours.map((h) => Object.values(h.counts).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const bar = (W - PAD) / Math.max(1, hours.length);
  const sums: Record<string, number> = {};
  for (const h of hours) for (const [k, v] of Object.entries(h.counts)) sums[k] = (sums[k] ?? 0) + v;
  const present = ORDER.filter((o) => sums[o]).concat(Object.keys(sums).filter((k) => !ORDER.includes(k)));
  const busiest = totals.indexOf(Math.max(...totals));
  const summary = present.length === 0
    ? `No messages in the last ${hours.length} hours.`
    : `In the last ${hours.length} hours: ${present.map((o) => `${sums[o]} ${o}`).join(', ')}. Busiest hour: ${hourLabel(hours[busiest]!.at)} with ${totals[busiest]}.`;
  const bars: ComponentChildren[] = [];
  hours.forEach((h, i) => {
    let y = H - PAD;
    for (const outcome of present) {
      const n = h.counts[outcome] ?? 0;
      if (!n) continue;
      const height = ((H - 2 * PAD) * n) / max;
      y -= height;
      bars.push(<rect key={`${i}-${outcome}`} x={PAD + i * bar + 1} y={y} width={Math.max(1, bar - 2)} height={height} fill={COLOURS[outcome] ?? '#333'} />);
    }
  });
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">
        <title id="chart-title">Messages per hour by outcome</title>
        <desc id="chart-desc">{summary}</desc>
        <line x1={PAD} y1={H - PAD} x2={W} y2={H - PAD} stroke="#4a5360" />
        <text x={PAD - 4} y={PAD + 4} text-anchor="end" font-size="10" fill="#4a5360">{max}</text>
        <text x={PAD - 4} y={H - PAD} text-anchor="end" font-size="10" fill="#4a5360">0</text>
        {hours.length > 0 && <text x={PAD} y={H - 8} font-size="10" fill="#4a5360">{hourLabel(hours[0]!.at)}</text>}
        {hours.length > 0 && <text x={W} y={H - 8} text-anchor="end" font-size="10" fill="#4a5360">{hourLabel(hours.at(-1)!.at)}</text>}
        {bars}
      </svg>
      <figcaption>
        <span aria-hidden="true">{summary}</span>
        {present.length > 0 && (
          <ul class="legend" aria-hidden="true">
            {present.map((o) => <li key={o}><span class="swatch" style={{ background: COLOURS[o] ?? '#333' }} /> {o}</li>)}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}

function hourLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
