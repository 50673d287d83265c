// The Suspend Timeline's pure logic: time <-> pixel mapping, axis ticks and their labels, which marks and bands are
// drawn at a zoom (one per pixel column), hit-testing, and the zoom and pan maths. No DOM here, so the same file runs
// as a classic script in the webview (it defines the global SflowTimelineCore) and under Node's require in the tests.
//
// Conventions: times are nanoseconds (numbers); a view is { from, to } in ns; x is in CSS pixels from the left edge of
// the plot (the time `view.from`); `pxPerNs` is the plot's width divided by the view's span. Arrays of times are
// sorted ascending (ties in seq order).
(function (root, factory) {
  const core = factory();
  if (typeof module === 'object' && module.exports) module.exports = core;
  else root.SflowTimelineCore = core;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  // ------------------------------------------------------------------------------------------ searching

  /** The first index in [lo, hi) whose value is >= value (hi if none). */
  function lowerBound(values, value, lo = 0, hi = values.length) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index in [lo, hi) whose value is > value (hi if none). */
  function upperBound(values, value, lo = 0, hi = values.length) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid] <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ------------------------------------------------------------------------------------------ mapping

  function pxPerNsOf(view, width) {
    return width / Math.max(view.to - view.from, 1e-9);
  }

  function timeToX(t, view, width) {
    return (t - view.from) * pxPerNsOf(view, width);
  }

  function xToTime(x, view, width) {
    return view.from + x / pxPerNsOf(view, width);
  }

  /**
   * The pixel column a time falls in. Columns, not rounded x, decide what shares a pixel: they are counted from the
   * view's start, so the same mark is the one drawn for a column whatever part of the plot is being looked at.
   */
  function columnOf(t, from, pxPerNs) {
    return Math.floor((t - from) * pxPerNs);
  }

  /** The first index in [lo, hi) whose time lies in a column > `column` (binary search on the column itself, so
   * floating-point rounding of a column's start time can never put two marks in one column). */
  function firstIndexAfterColumn(times, from, pxPerNs, column, lo, hi) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (columnOf(times[mid], from, pxPerNs) <= column) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Like firstIndexAfterColumn, but gallops from `lo` first: when zoomed in, the next column's mark is usually near. */
  function gallopAfterColumn(times, from, pxPerNs, column, lo, hi) {
    let step = 1;
    let probe = lo;
    while (probe < hi && columnOf(times[probe], from, pxPerNs) <= column) {
      lo = probe + 1;
      probe = lo + step;
      step *= 2;
    }
    return firstIndexAfterColumn(times, from, pxPerNs, column, lo, Math.min(probe, hi));
  }

  /** The indices [lo, hi) of the marks in one pixel column. */
  function columnSpan(times, from, pxPerNs, column) {
    const lo = firstIndexAfterColumn(times, from, pxPerNs, column - 1, 0, times.length);
    return [lo, firstIndexAfterColumn(times, from, pxPerNs, column, lo, times.length)];
  }

  // ------------------------------------------------------------------------------------------ marks per column

  /**
   * Calls visit(index, count, x) once per pixel column in [firstColumn, lastColumn] that holds marks: `index` is the
   * column's first mark (earliest, then lowest seq: the one drawn, hovered and clicked), `count` how many marks share
   * the column, x the exact position of that first mark. Costs O(columns * log(marks)), not O(marks), so a zoomed-out
   * view of 100,000 marks does no more work than the plot has pixels.
   */
  function forEachMarkColumn(times, from, pxPerNs, firstColumn, lastColumn, visit) {
    const end = firstIndexAfterColumn(times, from, pxPerNs, lastColumn, 0, times.length);
    let i = firstIndexAfterColumn(times, from, pxPerNs, firstColumn - 1, 0, end);
    while (i < end) {
      const column = columnOf(times[i], from, pxPerNs);
      const next = gallopAfterColumn(times, from, pxPerNs, column, i + 1, end);
      visit(i, next - i, (times[i] - from) * pxPerNs);
      i = next;
    }
  }

  /** The marks drawn in a plot `width` px wide (plus `margin` px each side, for marks cut by the edge). */
  function visibleMarks(times, view, width, margin = 2) {
    const pxPerNs = pxPerNsOf(view, width);
    const out = [];
    forEachMarkColumn(times, view.from, pxPerNs, -margin, Math.ceil(width) + margin, (index, count, x) =>
      out.push({ index, count, x }),
    );
    return out;
  }

  /**
   * The drawn mark nearest to x (within `threshold` px), or undefined: only marks drawn at this zoom are candidates,
   * so what the pointer is over is what is picked, and a mark hidden in another's column is never picked instead.
   * Ties go to the earlier mark.
   */
  function hitTestMarks(times, view, width, x, threshold) {
    const pxPerNs = pxPerNsOf(view, width);
    let best;
    forEachMarkColumn(
      times,
      view.from,
      pxPerNs,
      Math.floor(x - threshold) - 1,
      Math.ceil(x + threshold) + 1,
      (index, count, markX) => {
        const distance = Math.abs(markX - x);
        if (distance <= threshold && (!best || distance < best.distance)) best = { index, count, x: markX, distance };
      },
    );
    return best;
  }

  /**
   * The nearest drawn mark of one lane: `lists` are that lane's sorted time arrays, drawn in this order. A mark of a
   * later list (the violations, drawn over the other marks) wins against one less than a pixel nearer: it covers it.
   * Returns { list, index, count, x, distance }.
   */
  function hitTestLane(lists, view, width, x, threshold) {
    let best;
    lists.forEach((times, list) => {
      const hit = hitTestMarks(times, view, width, x, threshold);
      if (hit && (!best || hit.distance < best.distance + 1)) best = { list, ...hit };
    });
    return best;
  }

  /** The lane under y (px from the top of the canvas), or -1: lanes start below the axis and scroll by scrollY. */
  function laneIndexAt(y, top, laneHeight, scrollY, count) {
    if (y < top) return -1;
    const index = Math.floor((y - top + scrollY) / laneHeight);
    return index >= 0 && index < count ? index : -1;
  }

  // ------------------------------------------------------------------------------------------ bands

  /** The band (index into `starts`) in force at time t, or -1: band i lasts from starts[i] to starts[i + 1] (or `end`). */
  function bandIndexAt(starts, end, t) {
    const i = upperBound(starts, t) - 1;
    if (i < 0) return -1;
    if (i === starts.length - 1 && t > end) return -1;
    return i;
  }

  /**
   * Calls visit(index, x0, x1, count) for the bands to draw between x = xMin and xMax. A band at least a pixel wide
   * is drawn as it is (count 1). Bands narrower than a pixel are merged with their narrow neighbours into one segment
   * at least a pixel wide (count = how many; index = the first): a burst of state changes costs O(pixels), not
   * O(changes), and still shows as something happening there.
   */
  function forEachBandSegment(starts, end, view, width, xMin, xMax, visit) {
    const n = starts.length;
    if (n === 0) return;
    const pxPerNs = pxPerNsOf(view, width);
    const toX = (t) => (t - view.from) * pxPerNs;
    const endOf = (i) => (i + 1 < n ? starts[i + 1] : Math.max(end, starts[i]));
    let i = Math.max(0, upperBound(starts, xToTime(xMin, view, width)) - 1);
    let run; // a merged run of narrow bands: { index, x0, x1, count }
    const flush = () => {
      if (run) visit(run.index, run.x0, Math.max(run.x1, run.x0 + 1), run.count);
      run = undefined;
    };
    while (i < n) {
      const x0 = toX(starts[i]);
      if (x0 > xMax) break;
      const x1 = toX(endOf(i));
      if (x1 < xMin) {
        i++;
        continue;
      }
      if (x1 - x0 >= 1) {
        flush();
        visit(i, Math.max(x0, xMin), Math.min(x1, xMax), 1);
        i++;
        continue;
      }
      // Narrow: jump to the band in force a pixel later; every band skipped lies within this pixel.
      const next = Math.max(i + 1, upperBound(starts, xToTime(x0 + 1, view, width)) - 1);
      const lastSkipped = next - 1;
      if (run && x0 <= run.x1 + 1e-9) {
        run.x1 = toX(endOf(lastSkipped));
        run.count += next - i;
      } else {
        flush();
        run = { index: i, x0: Math.max(x0, xMin), x1: toX(endOf(lastSkipped)), count: next - i };
      }
      i = next;
    }
    flush();
  }

  /** The band segments drawn in a plot `width` px wide, as objects (for tests and the test hook). */
  function visibleBands(starts, end, view, width) {
    const out = [];
    forEachBandSegment(starts, end, view, width, 0, width, (index, x0, x1, count) =>
      out.push({ index, x0, x1, count }),
    );
    return out;
  }

  // ------------------------------------------------------------------------------------------ time units and the axis

  const UNITS = [
    { name: 's', ns: 1e9 },
    { name: 'ms', ns: 1e6 },
    { name: 'µs', ns: 1e3 },
    { name: 'ns', ns: 1 },
  ];

  /** The smallest 1, 2 or 5 x 10^k that is >= raw. */
  function niceStep(raw) {
    if (!(raw > 0)) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) {
      if (m * power >= raw * (1 - 1e-12)) return m * power;
    }
    return 10 * power;
  }

  /** The next nice step above `step` (1 -> 2 -> 5 -> 10). */
  function nextNiceStep(step) {
    return niceStep(step * 1.000001 + Number.EPSILON);
  }

  /** The largest unit in which `ns` is at least 1 (ns for anything below a microsecond). */
  function unitFor(ns) {
    const magnitude = Math.abs(ns);
    return UNITS.find((u) => magnitude >= u.ns) || UNITS[UNITS.length - 1];
  }

  /** Decimals needed to tell apart values `step` ns apart in `unit`. */
  function decimalsFor(step, unit) {
    return Math.max(0, Math.ceil(-Math.log10(step / unit.ns) - 1e-9));
  }

  function formatInUnit(ns, unit, decimals) {
    const value = ns / unit.ns;
    const text = value.toFixed(decimals);
    return `${text === `-${(0).toFixed(decimals)}` ? (0).toFixed(decimals) : text} ${unit.name}`;
  }

  /**
   * Ticks for the axis of a plot `width` px wide: a 1/2/5 x 10^k step wide enough that no two labels overlap
   * (measure(text) gives a label's width in px; `gap` px are kept between labels). Every label uses one unit, the
   * largest in which the view's end is at least 1 (so 10 ms into a run, 20 ns steps read 10.00502 ms, 10.00504 ms).
   */
  function axisTicks(view, width, measure = estimateTextWidth, gap = 12) {
    const span = view.to - view.from;
    if (!(span > 0) || !(width > 0)) return { step: 0, unit: UNITS[3], ticks: [] };
    const unit = unitFor(Math.max(Math.abs(view.from), Math.abs(view.to)));
    let step = niceStep((span / width) * 40);
    for (let tries = 0; tries < 40; tries++) {
      const ticks = ticksFor(view, width, step, unit);
      const widest = ticks.reduce((w, tick) => Math.max(w, measure(tick.label)), 0);
      if (ticks.length < 2 || widest + gap <= step * (width / span)) return { step, unit, ticks };
      step = nextNiceStep(step);
    }
    return { step, unit, ticks: ticksFor(view, width, step, unit) };
  }

  function ticksFor(view, width, step, unit) {
    const decimals = decimalsFor(step, unit);
    const ticks = [];
    const first = Math.ceil(view.from / step);
    const last = Math.floor(view.to / step);
    for (let k = first; k <= last && ticks.length < 1000; k++) {
      const t = k * step;
      ticks.push({ t, x: timeToX(t, view, width), label: formatInUnit(t, unit, decimals) });
    }
    return ticks;
  }

  /** A rough label width (px) for an 11 px sans-serif font, when no canvas is at hand. */
  function estimateTextWidth(text) {
    return text.length * 6.2;
  }

  /**
   * A time as exactly as it is known (to the ns), in the largest unit that fits, without trailing groups of zeros:
   * 10005000 -> "10.005 ms", 10004020 -> "10.004020 ms", 30000000 -> "30 ms", 750 -> "750 ns".
   */
  function formatTime(ns) {
    const rounded = Math.round(ns);
    const unit = unitFor(rounded);
    let decimals = Math.round(Math.log10(unit.ns));
    let text = (rounded / unit.ns).toFixed(decimals);
    while (decimals >= 3 && text.endsWith('000')) {
      text = text.slice(0, -3);
      decimals -= 3;
    }
    if (text.endsWith('.')) text = text.slice(0, -1);
    return `${text} ${unit.name}`;
  }

  /** A duration, shorter than formatTime: at most 4 significant digits (19.976 ms, 3 µs, 0 ns). */
  function formatDuration(ns) {
    if (ns <= 0) return '0 ns';
    const unit = unitFor(ns);
    const value = ns / unit.ns;
    const text = value >= 100 ? value.toFixed(1) : value >= 10 ? value.toFixed(2) : value.toFixed(3);
    return `${text.replace(/\.?0+$/, '')} ${unit.name}`;
  }

  // ------------------------------------------------------------------------------------------ zoom and pan

  /**
   * The range a fit shows: from the earliest time to the latest (events, bands, the cursor), with a margin so marks at
   * the ends are not cut by the edge. Never shorter than `minSpan`.
   */
  function fullRange(firstTime, lastTime, minSpan = 1000) {
    if (!Number.isFinite(firstTime) || !Number.isFinite(lastTime)) return { from: 0, to: 1e6 };
    const span = Math.max(lastTime - firstTime, minSpan);
    const margin = span * 0.01;
    return { from: firstTime - margin, to: firstTime + span + margin * 2 };
  }

  /** The narrowest view: 1 ns per 10 px. */
  function minSpanFor(width) {
    return Math.max(width, 1) / 10;
  }

  /** Keeps a view inside `full` and between the zoom limits, keeping its start where it can. */
  function clampView(view, full, minSpan) {
    const fullSpan = full.to - full.from;
    const span = Math.min(Math.max(view.to - view.from, Math.min(minSpan, fullSpan)), fullSpan);
    const from = Math.min(Math.max(view.from, full.from), full.to - span);
    return { from, to: from + span };
  }

  /** Zooms by `factor` (> 1 in) keeping the time `anchor` at the same x, within the limits. */
  function zoomAround(view, anchor, factor, full, minSpan) {
    const span = view.to - view.from;
    const fullSpan = full.to - full.from;
    const target = Math.min(Math.max(span / factor, Math.min(minSpan, fullSpan)), fullSpan);
    const ratio = span > 0 ? (anchor - view.from) / span : 0.5;
    const from = anchor - ratio * target;
    return clampView({ from, to: from + target }, full, minSpan);
  }

  /** Moves the view by `dt` ns (positive: later), stopping at the ends. */
  function panBy(view, dt, full, minSpan) {
    return clampView({ from: view.from + dt, to: view.to + dt }, full, minSpan);
  }

  /** Moves the view as little as needed (and at least `margin` of its span) so that t is in it. */
  function revealTime(view, t, full, minSpan, margin = 0.1) {
    const span = view.to - view.from;
    const pad = span * margin;
    if (t >= view.from + pad && t <= view.to - pad) return view;
    const from = t < view.from + pad ? t - pad : t + pad - span;
    return clampView({ from, to: from + span }, full, minSpan);
  }

  /** A wheel event's zoom factor (> 1 zooms in): one notch of a mouse wheel (100 px) is about 1.22x. */
  function wheelZoomFactor(deltaY, deltaMode) {
    const pixels = deltaY * (deltaMode === 1 ? 40 : deltaMode === 2 ? 800 : 1);
    return Math.exp(-Math.max(-400, Math.min(400, pixels)) * 0.002);
  }

  // ------------------------------------------------------------------------------------------ colours

  /** The theme variable each band state is drawn in: one colour per depth of sleep, whatever the lane. */
  const STATE_COLOURS = {
    ON: 'charts-green',
    D0: 'charts-green',
    running: 'charts-green',
    vm_running: 'charts-green',
    ON_PENDING: 'charts-yellow',
    suspending: 'charts-yellow',
    resuming: 'charts-yellow',
    STANDBY: 'charts-blue',
    D1: 'charts-blue',
    D2: 'charts-blue',
    POWERDOWN: 'charts-purple',
    SUSPENDED: 'charts-purple',
    D3hot: 'charts-purple',
    suspended: 'charts-purple',
    OFF: 'disabledForeground',
    D3cold: 'disabledForeground',
  };
  const UNKNOWN_STATE_COLOUR = 'charts-foreground';

  const MARK_COLOURS = {
    psci: 'charts-orange',
    vmm: 'charts-red',
    irq: 'charts-blue',
    pmcsr: 'charts-purple',
    notify: 'charts-yellow',
    violation: 'errorForeground',
  };
  const UNKNOWN_MARK_COLOUR = 'descriptionForeground';

  function stateColourName(state) {
    return Object.prototype.hasOwnProperty.call(STATE_COLOURS, state) ? STATE_COLOURS[state] : UNKNOWN_STATE_COLOUR;
  }

  function markColourName(kind) {
    return Object.prototype.hasOwnProperty.call(MARK_COLOURS, kind) ? MARK_COLOURS[kind] : UNKNOWN_MARK_COLOUR;
  }

  // ------------------------------------------------------------------------------------------ lane labels

  /**
   * A lane's name shortened to fit `width` px: the VM prefix goes first (guest.vcpu0 -> vcpu0), then the end is cut
   * with an ellipsis. The full name is in the tooltip.
   */
  function fitLabel(name, width, measure = estimateTextWidth) {
    if (measure(name) <= width) return name;
    const dot = name.indexOf('.');
    let text = dot >= 0 ? name.slice(dot + 1) : name;
    if (measure(text) <= width) return text;
    while (text.length > 1 && measure(`${text}…`) > width) text = text.slice(0, -1);
    return `${text}…`;
  }

  return {
    lowerBound,
    upperBound,
    pxPerNsOf,
    timeToX,
    xToTime,
    columnOf,
    columnSpan,
    forEachMarkColumn,
    visibleMarks,
    hitTestMarks,
    hitTestLane,
    laneIndexAt,
    bandIndexAt,
    forEachBandSegment,
    visibleBands,
    UNITS,
    niceStep,
    unitFor,
    axisTicks,
    estimateTextWidth,
    formatTime,
    formatDuration,
    fullRange,
    minSpanFor,
    clampView,
    zoomAround,
    panBy,
    revealTime,
    wheelZoomFactor,
    STATE_COLOURS,
    MARK_COLOURS,
    UNKNOWN_STATE_COLOUR,
    UNKNOWN_MARK_COLOUR,
    stateColourName,
    markColourName,
    fitLabel,
  };
});
