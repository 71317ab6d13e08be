// Recordings (docs/protocol.md §8): JSON Lines of {"offsetMs":..,"event":{..}},
// read with the exact JSON reader so that events are sent with their
// numbers exactly as recorded, and replayed on their timeline.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { JNum, parse, stringify } from './json.mjs';

/** readRecording returns [{offsetMs, event (Map), text}] in offset order. */
export function readRecording(file) {
  const lines = [];
  const src = readFileSync(file, 'utf8').split('\n');
  src.forEach((line, i) => {
    if (line.trim() === '') return;
    let v;
    try {
      v = parse(line.replace(/\r$/, ''));
    } catch (e) {
      throw new Error(`${file}:${i + 1}: ${e.message}`);
    }
    const off = v instanceof Map ? v.get('offsetMs') : undefined;
    const event = v instanceof Map ? v.get('event') : undefined;
    if (!(off instanceof JNum) || !(event instanceof Map) || !(Number(off.text) >= 0)) {
      throw new Error(`${file}:${i + 1}: want {"offsetMs":<ms>,"event":{...}}`);
    }
    lines.push({ offsetMs: Number(off.text), event, text: stringify(event) });
  });
  lines.sort((a, b) => a.offsetMs - b.offsetMs);
  return lines;
}

// BATCH bounds how many events one turn of the event loop delivers, so
// that a fast replay never starves joins and pushes.
const BATCH = 64;

/**
 * startReplay delivers each line to deliver on its timeline divided by
 * speed (0: as fast as possible), from now; with loop it starts over at
 * the end. Returns a function that stops it.
 */
export function startReplay(lines, { speed, loop }, deliver) {
  let i = 0;
  let stopped = false;
  let timer;
  let immediate;
  let cycleStart = performance.now();
  const cycleMs = lines.length > 0 ? lines[lines.length - 1].offsetMs : 0;
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    for (let n = 0; n < BATCH; n++) {
      if (i >= lines.length) {
        if (!loop || lines.length === 0) return;
        i = 0;
        cycleStart += speed > 0 ? cycleMs / speed : 0;
      }
      const due = speed > 0 ? cycleStart + lines[i].offsetMs / speed : now;
      if (due > now) {
        timer = setTimeout(tick, due - now);
        return;
      }
      deliver(lines[i]);
      i++;
    }
    immediate = setImmediate(tick);
  };
  immediate = setImmediate(tick);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearImmediate(immediate);
  };
}
