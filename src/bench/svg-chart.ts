// Inline SVG charts for the report: grouped bars (one group per category, one bar per series) and lines
// (x = Service count on a log scale). Plain SVG text, no scripts or external resources, so the report
// opens anywhere without network access.

export interface Series {
  name: string;
  /** One value per category (bars) or per x (lines); NaN = not measured. */
  values: number[];
  /** A fixed color, so one mode has the same color in every chart; by position otherwise. */
  color?: string;
}

const colorOf = (s: Series, i: number): string => s.color ?? COLORS[i % COLORS.length]!;

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
const W = 640;
const H = 300;
const PAD = { left: 60, right: 130, top: 30, bottom: 50 };

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function frame(title: string, yLabel: string, maxY: number, body: string[], legend: readonly Series[]): string {
  const plotH = H - PAD.top - PAD.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = PAD.top + plotH * (1 - f);
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${escapeXml(shortNumber(maxY * f))}</text>`;
  });
  const keys = legend.map((s, i) => `<rect x="${W - PAD.right + 10}" y="${PAD.top + i * 18}" width="12" height="12" fill="${colorOf(s, i)}"/><text x="${W - PAD.right + 28}" y="${PAD.top + i * 18 + 10}" font-size="12">${escapeXml(s.name)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="14" y="${PAD.top + plotH / 2}" font-size="11" transform="rotate(-90 14 ${PAD.top + plotH / 2})" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    ...ticks, ...body, ...keys, '</svg>',
  ].join('\n');
}

export function shortNumber(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(2);
}

function niceMax(values: number[]): number {
  const max = Math.max(0, ...values.filter(Number.isFinite));
  if (max === 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / mag) * mag;
}

export function barChart(title: string, yLabel: string, categories: readonly string[], series: readonly Series[]): string {
  const maxY = niceMax(series.flatMap((s) => s.values));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const body: string[] = [];
  categories.forEach((cat, ci) => {
    const x0 = PAD.left + ci * groupW + groupW * 0.1;
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === undefined || !Number.isFinite(v)) return;
      const h = (v / maxY) * plotH;
      body.push(`<rect x="${(x0 + si * barW).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colorOf(s, si)}"><title>${escapeXml(`${s.name} ${cat}: ${v}`)}</title></rect>`);
    });
    body.push(`<text x="${(x0 + groupW * 0.4).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${escapeXml(cat)}</text>`);
  });
  return frame(title, yLabel, maxY, body, series);
}

export function lineChart(title: string, yLabel: string, xs: readonly number[], series: readonly Series[]): string {
  const maxY = niceMax(series.flatMap((s) => s.values));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const lo = Math.log10(Math.max(1, Math.min(...xs)));
  const hi = Math.log10(Math.max(1, Math.max(...xs)));
  const xAt = (x: number) => PAD.left + (hi === lo ? plotW / 2 : ((Math.log10(x) - lo) / (hi - lo)) * plotW);
  const yAt = (v: number) => PAD.top + plotH - (v / maxY) * plotH;
  // Counts close together on the log scale (3,000 and 4,000) would print over each other: keep every
  // label at least a label's width from the last one drawn.
  let lastLabelX = Number.NEGATIVE_INFINITY;
  const body: string[] = [];
  for (const x of xs) {
    if (xAt(x) - lastLabelX < 28) continue;
    lastLabelX = xAt(x);
    body.push(`<text x="${xAt(x).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${escapeXml(shortNumber(x))}</text>`);
  }
  series.forEach((s, si) => {
    const pts = xs.map((x, i) => [x, s.values[i]] as const).filter(([, v]) => v !== undefined && Number.isFinite(v));
    const color = colorOf(s, si);
    if (pts.length > 1) body.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([x, v]) => `${xAt(x).toFixed(1)},${yAt(v!).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, v] of pts) body.push(`<circle cx="${xAt(x).toFixed(1)}" cy="${yAt(v!).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${s.name} at ${x}: ${v}`)}</title></circle>`);
  });
  body.push(`<text x="${PAD.left + plotW / 2}" y="${H - 10}" text-anchor="middle" font-size="11">Services (log scale)</text>`);
  return frame(title, yLabel, maxY, body, series);
}
