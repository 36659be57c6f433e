/**
 * Shares over time (uPlot): one line per top miner and one for the others. Hovering, or moving
 * with the arrow keys once the chart has focus, shows each miner's exact share and u16 value.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fill, h, isolate } from '../dom';
import { block, dateTime, timeTicks } from '../format';
import { OTHERS, percent, shareChart, TOP_MINERS, type Attempt, type ShareChart } from '../model';

const COLORS = ['#0a6cbd', '#c2410c', '#047857', '#b02a8f', '#8a6100', '#5b3fc4'];
const OTHERS_COLOR = '#6e7781';
const HEIGHT = 300;
/**
 * Axis text: 12 px at every width (uPlot's default is 10 px). A narrow chart gets fewer ticks,
 * never smaller text: ticks are at least as far apart as the widest label, a date, plus a gap.
 */
const FONT_PX = 12;
const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif";
const AXIS_FONT = `${FONT_PX}px ${FONT_FAMILY}`;
const LABEL_FONT = `600 ${FONT_PX}px ${FONT_FAMILY}`;
/** "2026-12-01" at 12 px is about 70 px wide. */
const X_SPACE = 96;
const Y_SPACE = 36;

export class SharesChart {
  private plot?: uPlot;
  private data?: ShareChart;
  private readonly frame: HTMLDivElement;
  private readonly readout: HTMLParagraphElement;
  private readonly empty: HTMLParagraphElement;

  constructor(private readonly el: HTMLElement) {
    this.frame = h('div', {
      class: 'chart-frame',
      tabIndex: 0,
      attrs: {
        role: 'group',
        'aria-label': 'Shares over time. Left and right arrow keys step through the publishes.',
      },
      on: { keydown: (e) => this.key(e) },
    });
    this.readout = h('p', { class: 'chart-readout', attrs: { 'aria-live': 'polite' } });
    this.empty = h('p', { class: 'muted' }, 'No successful publish yet.');
    fill(el, this.empty);
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(
      el,
    );
  }

  update(successes: Attempt[]): void {
    const data = shareChart(successes, TOP_MINERS);
    this.data = data;
    this.plot?.destroy();
    this.plot = undefined;
    if (data.times.length === 0) {
      fill(this.el, this.empty);
      return;
    }
    fill(this.el, this.frame, this.readout);
    this.frame.replaceChildren();
    this.plot = new uPlot(
      this.options(data),
      [data.times, ...data.series.map((s) => s.shares)],
      this.frame,
    );
  }

  /** The chart's content box (clientWidth counts its padding too, which would clip the plot). */
  private width(): number {
    const style = getComputedStyle(this.el);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return Math.max(260, Math.floor(this.el.clientWidth - (padding || 0)));
  }

  private options(data: ShareChart): uPlot.Options {
    const axis = {
      stroke: '#424a53',
      font: AXIS_FONT,
      labelFont: LABEL_FONT,
      grid: { stroke: '#eaeef2' },
      ticks: { stroke: '#d0d7de' },
    };
    return {
      width: this.width(),
      height: HEIGHT,
      // Room on the right for the label of a tick at the newest publish.
      padding: [12, 40, 0, 0],
      // Ticks fall on UTC hours and days, as the labels say.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        // A single publish gets an hour either side instead of uPlot's span of years.
        x: {
          time: true,
          range: (_u, min, max) => (min === max ? [min - 3600, max + 3600] : [min, max]),
        },
        y: { range: (_u, _min, max) => [0, Math.min(1, Math.max(0.1, max * 1.1))] },
      },
      axes: [
        {
          ...axis,
          space: X_SPACE,
          size: 56,
          label: 'Time (UTC)',
          labelSize: 24,
          values: (_u, splits, _axis, _space, incr) => timeTicks(splits, incr),
        },
        {
          ...axis,
          space: Y_SPACE,
          size: 52,
          values: (_u, ticks) => ticks.map((t) => percent(t, 0)),
        },
      ],
      legend: { live: true },
      cursor: { points: { size: 8 } },
      series: [
        {
          label: 'Publish',
          // Away from the chart, the legend shows the newest publish.
          value: (_u, _v, _s, idx) => {
            const a = data.attempts[idx ?? data.attempts.length - 1];
            return `${dateTime(a.ts)} · block ${block(a.block_number)}`;
          },
        },
        ...data.series.map((s, i) => ({
          label: s.label,
          stroke: s.key === OTHERS ? OTHERS_COLOR : COLORS[i % COLORS.length],
          dash: s.key === OTHERS ? [6, 4] : undefined,
          width: 2,
          points: { show: true, size: 5 },
          value: (_u: uPlot, _v: number | null, _s: number, at: number | null) => {
            const idx = at ?? data.times.length - 1;
            const v = s.shares[idx];
            const d = s.details[idx];
            if (s.key === OTHERS) return `${percent(v)} · ${d.miners ?? 0} miners`;
            return d.u16 === undefined ? percent(v) : `${percent(v)} · u16 ${d.u16}`;
          },
        })),
      ],
    };
  }

  /** Arrow keys move the cursor from publish to publish; the readout says what is there. */
  private key(event: KeyboardEvent): void {
    const plot = this.plot;
    const data = this.data;
    if (!plot || !data || !['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const last = data.times.length - 1;
    const current = plot.cursor.idx ?? -1;
    const idx =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? last
          : Math.min(last, Math.max(0, current + (event.key === 'ArrowRight' ? 1 : -1)));
    const top = plot.valToPos(data.series[0]?.shares[idx] ?? 0, 'y');
    plot.setCursor({ left: plot.valToPos(data.times[idx], 'x'), top });
    const attempt = data.attempts[idx];
    // Series labels hold hotkeys (record data): each is isolated from the text around it.
    fill(
      this.readout,
      `${dateTime(attempt.ts)}, block ${block(attempt.block_number)}: `,
      ...data.series.flatMap((s, i) => {
        const d = s.details[idx];
        const u16 = d.u16 === undefined ? '' : ` (u16 ${d.u16})`;
        return [i > 0 && '; ', isolate(s.label), ` ${percent(s.shares[idx])}${u16}`];
      }),
    );
  }
}
