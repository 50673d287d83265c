// The Suspend Timeline's pure logic (media/timeline-core.js, loaded as the webview loads it but through require): the
// axis's ticks and units, which marks are drawn at a zoom, hit-testing a click, bands, and the zoom and pan limits.

import * as assert from 'assert';

interface View {
  from: number;
  to: number;
}
interface Tick {
  t: number;
  x: number;
  label: string;
}
interface MarkHit {
  index: number;
  count: number;
  x: number;
  distance: number;
}
interface TimelineCore {
  pxPerNsOf(view: View, width: number): number;
  timeToX(t: number, view: View, width: number): number;
  xToTime(x: number, view: View, width: number): number;
  columnOf(t: number, from: number, pxPerNs: number): number;
  columnSpan(times: number[], from: number, pxPerNs: number, column: number): [number, number];
  visibleMarks(
    times: number[],
    view: View,
    width: number,
    margin?: number,
  ): { index: number; count: number; x: number }[];
  hitTestMarks(times: number[], view: View, width: number, x: number, threshold: number): MarkHit | undefined;
  hitTestLane(
    lists: number[][],
    view: View,
    width: number,
    x: number,
    threshold: number,
  ): (MarkHit & { list: number }) | undefined;
  laneIndexAt(y: number, top: number, laneHeight: number, scrollY: number, count: number): number;
  bandIndexAt(starts: number[], end: number, t: number): number;
  visibleBands(
    starts: number[],
    end: number,
    view: View,
    width: number,
  ): { index: number; x0: number; x1: number; count: number }[];
  niceStep(raw: number): number;
  axisTicks(
    view: View,
    width: number,
    measure?: (text: string) => number,
    gap?: number,
  ): { step: number; unit: { name: string }; ticks: Tick[] };
  estimateTextWidth(text: string): number;
  formatTime(ns: number): string;
  formatDuration(ns: number): string;
  fullRange(first: number, last: number, minSpan?: number): View;
  minSpanFor(width: number): number;
  clampView(view: View, full: View, minSpan: number): View;
  zoomAround(view: View, anchor: number, factor: number, full: View, minSpan: number): View;
  panBy(view: View, dt: number, full: View, minSpan: number): View;
  wheelZoomFactor(deltaY: number, deltaMode: number): number;
  stateColourName(state: string): string;
  markColourName(kind: string): string;
  fitLabel(name: string, width: number, measure?: (text: string) => number): string;
}

const core = require('../../media/timeline-core.js') as TimelineCore;

const MS = 1e6;
const US = 1e3;
/** The KVM example's two SYSTEM_SUSPEND calls on vcpu0, 19 us apart. */
const FIRST_SUSPEND = 10_005_000;
const SECOND_SUSPEND = 10_024_000;

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sortedTimes(count: number, span: number, seed: number): number[] {
  const rnd = random(seed);
  return Array.from({ length: count }, () => Math.round(rnd() * span)).sort((a, b) => a - b);
}

function labels(view: View, width: number): string[] {
  return core.axisTicks(view, width).ticks.map((t) => t.label);
}

/** No two labels overlap: each starts 3 px after its tick and is measured with the same estimate the ticks used. */
function assertNoOverlap(view: View, width: number, gap = 12): void {
  const { ticks } = core.axisTicks(view, width, core.estimateTextWidth, gap);
  for (let i = 1; i < ticks.length; i++) {
    const previousEnd = ticks[i - 1].x + core.estimateTextWidth(ticks[i - 1].label) + gap;
    assert.ok(
      previousEnd <= ticks[i].x + 1e-6,
      `${ticks[i - 1].label} overlaps ${ticks[i].label} at ${width} px for ${JSON.stringify(view)}`,
    );
  }
}

describe('timeline core: the time axis', () => {
  it('steps are 1, 2 or 5 x 10^k', () => {
    assert.strictEqual(core.niceStep(1), 1);
    assert.strictEqual(core.niceStep(1.2), 2);
    assert.strictEqual(core.niceStep(3), 5);
    assert.strictEqual(core.niceStep(7), 10);
    assert.strictEqual(core.niceStep(1200), 2000);
    assert.strictEqual(core.niceStep(0.03), 0.05);
  });

  it('labels a whole 40 ms run in ms, every 2 ms in a wide panel', () => {
    const view = { from: 0, to: 40 * MS };
    assert.deepStrictEqual(labels(view, 1300).slice(0, 4), ['0 ms', '2 ms', '4 ms', '6 ms']);
    assert.strictEqual(labels(view, 1300).at(-1), '40 ms');
    assertNoOverlap(view, 1300);
  });

  it('takes wider steps in a narrow side bar rather than letting labels overlap', () => {
    const view = { from: 0, to: 40 * MS };
    const narrow = core.axisTicks(view, 220);
    assert.ok(narrow.step >= 10 * MS, `step ${narrow.step}`);
    assert.deepStrictEqual(
      narrow.ticks.map((t) => t.label),
      ['0 ms', '10 ms', '20 ms', '30 ms', '40 ms'],
    );
    for (const width of [120, 220, 300, 640, 1400, 2800]) {
      for (const v of [view, { from: 10 * MS, to: 10.03 * MS }, { from: 0, to: 500 }, { from: 1.5e9, to: 3.5e9 }])
        assertNoOverlap(v, width);
    }
  });

  it('zoomed in on the two SYSTEM_SUSPEND calls: 2 us steps, read in ms with the digits that differ', () => {
    const axis = core.axisTicks({ from: 10 * MS, to: 10.03 * MS }, 1300);
    assert.strictEqual(axis.step, 2 * US);
    assert.strictEqual(axis.unit.name, 'ms');
    assert.deepStrictEqual(
      axis.ticks.slice(0, 3).map((t) => t.label),
      ['10.000 ms', '10.002 ms', '10.004 ms'],
    );
  });

  it('at the ns limit of zoom, labels keep every digit down to the ns', () => {
    const view = { from: FIRST_SUSPEND, to: FIRST_SUSPEND + 100 };
    const axis = core.axisTicks(view, 1000);
    assert.strictEqual(axis.step, 10);
    const texts = axis.ticks.map((t) => t.label);
    assert.deepStrictEqual(texts.slice(0, 2), ['10.00500 ms', '10.00501 ms']);
    assert.strictEqual(new Set(texts).size, texts.length, 'labels are distinct');
  });

  it('uses ns near the start and s for long traces', () => {
    assert.deepStrictEqual(labels({ from: 0, to: 500 }, 1300).slice(0, 3), ['0 ns', '20 ns', '40 ns']);
    assert.deepStrictEqual(labels({ from: 0, to: 40 * US }, 1300).slice(0, 3), ['0 µs', '2 µs', '4 µs']);
    assert.deepStrictEqual(labels({ from: 1.5e9, to: 3.5e9 }, 1300).slice(0, 3), ['1.5 s', '1.6 s', '1.7 s']);
  });

  it('places each tick at its time', () => {
    const view = { from: 3 * MS, to: 7 * MS };
    for (const tick of core.axisTicks(view, 800).ticks)
      assert.ok(Math.abs(tick.x - ((tick.t - view.from) / (4 * MS)) * 800) < 1e-6);
  });

  it('formats times exactly and durations briefly', () => {
    assert.strictEqual(core.formatTime(FIRST_SUSPEND), '10.005 ms');
    assert.strictEqual(core.formatTime(10_004_020), '10.004020 ms');
    assert.strictEqual(core.formatTime(30 * MS), '30 ms');
    assert.strictEqual(core.formatTime(750), '750 ns');
    assert.strictEqual(core.formatTime(0), '0 ns');
    assert.strictEqual(core.formatTime(1_500_000_001), '1.500000001 s');
    assert.strictEqual(core.formatDuration(19_976_000), '19.98 ms');
    assert.strictEqual(core.formatDuration(3000), '3 µs');
  });
});

describe('timeline core: marks per pixel column', () => {
  it('draws at most one mark per pixel column, the earliest, and counts the rest', () => {
    const times = sortedTimes(20_000, 40 * MS, 1);
    for (const [view, width] of [
      [{ from: 0, to: 40 * MS }, 300],
      [{ from: 0, to: 40 * MS }, 1400],
      [{ from: 9 * MS, to: 11 * MS }, 700],
    ] as const) {
      const marks = core.visibleMarks(times, view, width, 0);
      const pxPerNs = core.pxPerNsOf(view, width);
      const columns = marks.map((m) => core.columnOf(times[m.index], view.from, pxPerNs));
      for (let i = 1; i < columns.length; i++) assert.ok(columns[i] > columns[i - 1], 'one mark per column, in order');
      assert.ok(marks.length <= Math.ceil(width) + 1, `${marks.length} marks in ${width} px`);
      for (const m of marks)
        if (m.index > 0)
          assert.ok(
            core.columnOf(times[m.index - 1], view.from, pxPerNs) < core.columnOf(times[m.index], view.from, pxPerNs),
            'the first of its column',
          );
      const inView = times.filter(
        (t) => core.columnOf(t, view.from, pxPerNs) >= 0 && core.columnOf(t, view.from, pxPerNs) <= Math.ceil(width),
      ).length;
      assert.strictEqual(
        marks.reduce((n, m) => n + m.count, 0),
        inView,
        'every mark in view is counted once',
      );
    }
  });

  it('counts the marks a drawn mark stands for, as the tooltip lists them', () => {
    const times = sortedTimes(20_000, 40 * MS, 6);
    const view = { from: 0, to: 40 * MS };
    const pxPerNs = core.pxPerNsOf(view, 300);
    for (const m of core.visibleMarks(times, view, 300, 0)) {
      const [lo, hi] = core.columnSpan(times, view.from, pxPerNs, core.columnOf(times[m.index], view.from, pxPerNs));
      assert.deepStrictEqual([lo, hi - lo], [m.index, m.count]);
    }
  });

  it('draws every mark once they are more than a pixel apart', () => {
    const times = [1000, 5000, 9000, 20_000];
    assert.deepStrictEqual(
      core.visibleMarks(times, { from: 0, to: 25_000 }, 1000).map((m) => m.index),
      [0, 1, 2, 3],
    );
  });

  it('picks the same mark for a column whatever range is asked for (drawing and hit-testing agree)', () => {
    const times = sortedTimes(5000, 10 * MS, 2);
    const view = { from: 1 * MS, to: 3 * MS };
    const drawn = new Map(core.visibleMarks(times, view, 900).map((m) => [Math.floor(m.x), m.index]));
    const rnd = random(3);
    for (let i = 0; i < 200; i++) {
      const x = rnd() * 900;
      const hit = core.hitTestMarks(times, view, 900, x, 4);
      if (hit) assert.strictEqual(drawn.get(Math.floor(hit.x)), hit.index);
    }
  });
});

describe('timeline core: clicking a mark', () => {
  const suspends = [FIRST_SUSPEND, SECOND_SUSPEND];

  it('19 us apart at 1 px apart: a click on the first travels to the first, on the second to the second', () => {
    const view = { from: 0, to: 19 * US * 1000 }; // 19 us per px over 1000 px
    const width = 1000;
    const x0 = core.timeToX(FIRST_SUSPEND, view, width);
    const x1 = core.timeToX(SECOND_SUSPEND, view, width);
    assert.ok(Math.abs(x1 - x0 - 1) < 1e-9);
    assert.strictEqual(core.visibleMarks(suspends, view, width).length, 2, 'in two columns, both drawn');
    assert.strictEqual(core.hitTestMarks(suspends, view, width, x0, 5)?.index, 0);
    assert.strictEqual(core.hitTestMarks(suspends, view, width, x0 - 3, 5)?.index, 0);
    assert.strictEqual(core.hitTestMarks(suspends, view, width, x0 + 0.4, 5)?.index, 0);
    assert.strictEqual(core.hitTestMarks(suspends, view, width, x1, 5)?.index, 1);
    assert.strictEqual(core.hitTestMarks(suspends, view, width, x1 + 3, 5)?.index, 1);
  });

  it('19 us apart in one pixel: only the first is drawn, and only it can be clicked', () => {
    const view = { from: 0, to: 40 * MS };
    const width = 300; // 133 us per px
    const marks = core.visibleMarks(suspends, view, width);
    assert.deepStrictEqual(
      marks.map((m) => [m.index, m.count]),
      [[0, 2]],
    );
    for (let dx = -5; dx <= 5; dx += 0.5) {
      const hit = core.hitTestMarks(suspends, view, width, marks[0].x + dx, 5);
      assert.strictEqual(hit?.index, 0, `at ${dx} px`);
    }
  });

  it('19 us apart at 50 px apart: each click picks the mark under it, and none between them', () => {
    const view = { from: 10 * MS, to: 10 * MS + 19 * US * 20 }; // 50 px per 19 us over 1000 px
    const width = 1000;
    const x0 = core.timeToX(FIRST_SUSPEND, view, width);
    const x1 = core.timeToX(SECOND_SUSPEND, view, width);
    assert.ok(Math.abs(x1 - x0 - 50) < 1e-6);
    assert.strictEqual(core.hitTestMarks(suspends, view, width, x0 + 4, 5)?.index, 0);
    assert.strictEqual(core.hitTestMarks(suspends, view, width, x1 - 4, 5)?.index, 1);
    assert.strictEqual(core.hitTestMarks(suspends, view, width, (x0 + x1) / 2, 5), undefined);
    assert.strictEqual(
      core.hitTestMarks(suspends, view, width, x0 + 5.5, 5),
      undefined,
      'nothing beyond the threshold',
    );
  });

  it('picks the nearest mark within the threshold, never one further away', () => {
    const times = sortedTimes(3000, 10 * MS, 4);
    const view = { from: 2 * MS, to: 2.5 * MS };
    const width = 1000;
    const drawn = core.visibleMarks(times, view, width, 10);
    const rnd = random(5);
    for (let i = 0; i < 500; i++) {
      const x = rnd() * width;
      const hit = core.hitTestMarks(times, view, width, x, 5);
      const nearest = drawn.reduce<{ index: number; d: number } | undefined>((best, m) => {
        const d = Math.abs(m.x - x);
        return d <= 5 && (!best || d < best.d) ? { index: m.index, d } : best;
      }, undefined);
      assert.strictEqual(hit?.index, nearest?.index, `at x=${x}`);
      if (hit) assert.ok(hit.distance <= 5);
    }
  });

  it('only the lane under the pointer is searched: a mark on the lane above is never picked', () => {
    const laneTop = 20;
    const laneHeight = 24;
    const lanes = [[FIRST_SUSPEND], [SECOND_SUSPEND]];
    const view = { from: 0, to: 40 * MS };
    const width = 1300;
    const x = core.timeToX(FIRST_SUSPEND, view, width);
    // The pointer on lane 1, at the x of lane 0's mark: lane 1's own mark is < 1 px away, so it is the one.
    const lane = core.laneIndexAt(laneTop + laneHeight * 1.5, laneTop, laneHeight, 0, lanes.length);
    assert.strictEqual(lane, 1);
    const hit = core.hitTestLane([lanes[lane]], view, width, x, 5);
    assert.strictEqual(hit?.index, 0);
    assert.strictEqual(lanes[lane][hit!.index], SECOND_SUSPEND);
    // A lane with no mark near: nothing, even though the lane above has one right there.
    assert.strictEqual(core.hitTestLane([[30 * MS]], view, width, x, 5), undefined);
    assert.strictEqual(core.laneIndexAt(laneTop - 1, laneTop, laneHeight, 0, 2), -1, 'the axis is no lane');
    assert.strictEqual(
      core.laneIndexAt(laneTop + laneHeight * 2 + 1, laneTop, laneHeight, 0, 2),
      -1,
      'below the last lane',
    );
    assert.strictEqual(core.laneIndexAt(laneTop + 1, laneTop, laneHeight, laneHeight, 2), 1, 'scrolled by a lane');
  });

  it('a violation drawn over another mark of its pixel wins the click', () => {
    const view = { from: 0, to: 40 * MS };
    const marks = [FIRST_SUSPEND, FIRST_SUSPEND + 10];
    const violations = [FIRST_SUSPEND + 10];
    const x = core.timeToX(FIRST_SUSPEND, view, 1300);
    assert.deepStrictEqual(core.hitTestLane([marks, violations], view, 1300, x, 5)?.list, 1);
    // Zoomed in until they are 10 px apart, each is picked where it is.
    const close = { from: FIRST_SUSPEND - 500, to: FIRST_SUSPEND + 500 };
    assert.deepStrictEqual(
      core.hitTestLane([marks, violations], close, 1000, core.timeToX(FIRST_SUSPEND, close, 1000), 5)?.list,
      0,
    );
    assert.deepStrictEqual(
      core.hitTestLane([marks, violations], close, 1000, core.timeToX(FIRST_SUSPEND + 10, close, 1000), 5)?.list,
      1,
    );
  });
});

describe('timeline core: bands', () => {
  it('finds the band in force at a time', () => {
    const starts = [0, 10 * MS, 30 * MS];
    assert.strictEqual(core.bandIndexAt(starts, 40 * MS, 5 * MS), 0);
    assert.strictEqual(core.bandIndexAt(starts, 40 * MS, 10 * MS), 1);
    assert.strictEqual(core.bandIndexAt(starts, 40 * MS, 35 * MS), 2);
    assert.strictEqual(core.bandIndexAt(starts, 40 * MS, 41 * MS), -1);
    assert.strictEqual(core.bandIndexAt(starts, 40 * MS, -1), -1);
  });

  it('draws wide bands as they are and merges bands narrower than a pixel, covering the lane without gaps', () => {
    // Three wide bands, then 10,000 changes 10 ns apart, then a wide band again.
    const starts = [0, 5 * MS, 10 * MS, ...Array.from({ length: 10_000 }, (_, i) => 20 * MS + i * 10), 30 * MS];
    const view = { from: 0, to: 40 * MS };
    const width = 1000; // 40 us per px: the burst of changes is 2.5 px
    const bands = core.visibleBands(starts, 40 * MS, view, width);
    assert.deepStrictEqual(
      bands.slice(0, 3).map((b) => [b.index, b.count]),
      [
        [0, 1],
        [1, 1],
        [2, 1],
      ],
    );
    assert.ok(bands.length <= 8, `${bands.length} segments`);
    const merged = bands.filter((b) => b.count > 1);
    assert.ok(merged.length >= 1 && merged.reduce((n, b) => n + b.count, 0) >= 9999, 'the burst is merged');
    for (const b of bands) assert.ok(b.x1 - b.x0 >= 1 - 1e-9, 'every segment at least a pixel wide');
    for (let i = 1; i < bands.length; i++) assert.ok(bands[i].x0 <= bands[i - 1].x1 + 1e-6, 'no gap');
    assert.ok(Math.abs(bands.at(-1)!.x1 - width) < 1e-6, 'to the end');
  });

  it('draws a zero-length band (ON_PENDING) as a pixel', () => {
    const starts = [0, 40 * MS, 40 * MS];
    const bands = core.visibleBands(starts, 41 * MS, { from: 0, to: 41 * MS }, 410);
    assert.ok(bands.some((b) => b.index === 1 && b.x1 - b.x0 >= 1));
  });

  it('colours unknown states and kinds too', () => {
    assert.strictEqual(core.stateColourName('POWERDOWN'), 'charts-purple');
    assert.strictEqual(core.stateColourName('D3cold'), 'disabledForeground');
    assert.strictEqual(core.stateColourName('SOMETHING_NEW'), 'charts-foreground');
    assert.strictEqual(core.stateColourName('toString'), 'charts-foreground');
    assert.strictEqual(core.markColourName('psci'), 'charts-orange');
    assert.strictEqual(core.markColourName('other'), 'descriptionForeground');
  });
});

describe('timeline core: zoom and pan', () => {
  const full = core.fullRange(0, 40 * MS);
  const width = 1000;
  const minSpan = core.minSpanFor(width);

  it('fit covers the whole run, with a margin', () => {
    assert.ok(full.from <= 0 && full.to >= 40 * MS);
    assert.ok(full.to - full.from < 40 * MS * 1.1);
    const fromEvents = core.fullRange(1.5e9, 3.5e9);
    assert.ok(
      fromEvents.from <= 1.5e9 && fromEvents.to >= 3.5e9 && fromEvents.from > 1.4e9,
      'a trace that starts late is not stretched to 0',
    );
    const single = core.fullRange(0, 0);
    assert.ok(single.to > single.from, 'one instant still has a range');
  });

  it('zooming keeps the time under the pointer where it is', () => {
    let view = { from: 5 * MS, to: 25 * MS };
    const x = 730;
    const t = core.xToTime(x, view, width);
    for (const factor of [1.22, 1.22, 3, 0.5, 1.22 ** 10]) {
      view = core.zoomAround(view, t, factor, full, minSpan);
      assert.ok(Math.abs(core.xToTime(x, view, width) - t) < 1e-6 * (view.to - view.from), `factor ${factor}`);
    }
  });

  it('does not zoom in beyond 1 ns per 10 px, nor out past the whole run', () => {
    let view = { from: 0, to: 40 * MS };
    for (let i = 0; i < 200; i++) view = core.zoomAround(view, FIRST_SUSPEND, 2, full, minSpan);
    assert.ok(Math.abs(view.to - view.from - width / 10) < 1e-6, `span ${view.to - view.from}`);
    assert.ok(view.from <= FIRST_SUSPEND && view.to >= FIRST_SUSPEND);
    for (let i = 0; i < 200; i++) view = core.zoomAround(view, FIRST_SUSPEND, 0.5, full, minSpan);
    assert.deepStrictEqual(view, full);
  });

  it('pans by time and stops at the ends', () => {
    const view = { from: 10 * MS, to: 20 * MS };
    assert.deepStrictEqual(core.panBy(view, 5 * MS, full, minSpan), { from: 15 * MS, to: 25 * MS });
    const start = core.panBy(view, -100 * MS, full, minSpan);
    assert.strictEqual(start.from, full.from);
    assert.ok(Math.abs(start.to - start.from - 10 * MS) < 1e-6);
    assert.ok(Math.abs(core.panBy(view, 100 * MS, full, minSpan).to - full.to) < 1e-6);
  });

  it('a wheel notch zooms by about 1.22x, in for a wheel up, out for a wheel down', () => {
    assert.ok(core.wheelZoomFactor(-100, 0) > 1.2 && core.wheelZoomFactor(-100, 0) < 1.25);
    assert.ok(Math.abs(core.wheelZoomFactor(100, 0) * core.wheelZoomFactor(-100, 0) - 1) < 1e-12);
    assert.ok(core.wheelZoomFactor(3, 1) < 1, 'lines count like pixels');
  });

  it('shortens lane labels to the column: the VM prefix first', () => {
    assert.strictEqual(core.fitLabel('guest.vcpu0', 200), 'guest.vcpu0');
    assert.strictEqual(core.fitLabel('guest.vcpu0', 40), 'vcpu0');
    assert.ok(core.fitLabel('averyveryverylongvm.averyverylongdevice', 60).endsWith('…'));
  });
});
