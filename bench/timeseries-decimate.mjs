// CPU time (not wall time: the machine is shared) of the time-series view's
// data work for 1,000,000 rows in node: the block summary built once per
// channel at load, and one decimation of the whole series to 1524 columns,
// row by row and with the summary. The browser figures come from
// bench/timeseries.mjs.
//   node bench/timeseries-decimate.mjs
import { decimate, summarize } from '../web/js/annotate/timeseries.js';

const n = 1_000_000;
const xs = Float64Array.from({ length: n }, (_, i) => i / 100);
const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 500) + Math.sin(i * 1.7) * 0.1);
const cpu = (fn) => {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};
const q = (a) => [...a].sort((x, y) => x - y)[a.length >> 1].toFixed(2);
let levels;
const build = [];
for (let r = 0; r < 5; r++) build.push(cpu(() => { levels = summarize(ys); }));
const raw = [];
const lv = [];
const zoom = [];
// each figure: the CPU time of 20 calls in a row, divided by 20 (timer resolution)
const times = (fn) => cpu(() => { for (let i = 0; i < 20; i++) fn(); }) / 20;
for (let r = 0; r < 11; r++) {
  raw.push(times(() => decimate(xs, ys, 0, xs[n - 1], 1524)));
  lv.push(times(() => decimate(xs, ys, 0, xs[n - 1], 1524, levels)));
  zoom.push(times(() => decimate(xs, ys, 4000, 4000 + xs[n - 1] / 16, 1524, levels)));
}
console.log(`${n.toLocaleString('en')} rows, CPU ms, medians: summary ${q(build)}; whole series row by row ${q(raw)}, with the summary ${q(lv)}; 1/16 of it ${q(zoom)}`);
