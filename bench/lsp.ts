// The language server's latency through the protocol (issue 5's aim: diagnostics for a 10,000-line scenario within
// 50 ms of an edit). The server runs as its own process, as in VS Code.

import * as path from 'path';
import { performance } from 'perf_hooks';
import { LspClient } from '../test/server/client';
import { largeScenario } from '../test/server/scenarios';

export interface LspFigures {
  lines: number;
  openMs: number;
  editMedianMs: number;
  editP90Ms: number;
}

export async function lspBench(edits = 60): Promise<LspFigures> {
  const client = await LspClient.start(undefined, path.resolve(__dirname, 'server.js'));
  try {
    const text = largeScenario(10_000);
    const lines = text.split('\n');
    const uri = 'file:///bench/large.sflow';
    const t0 = performance.now();
    await client.open(uri, text);
    const openMs = performance.now() - t0;
    const line = lines.findIndex((l, i) => i > 5000 && l.includes('pmcsr.state = D3hot'));
    const col = lines[line].indexOf('D3hot') + 3;
    const times: number[] = [];
    for (let i = 0; i < edits; i++) {
      const s = performance.now();
      // Typing and deleting a character, as a user does: everything after the edit moves by one.
      const end = i % 2 ? col + 1 : col;
      await client.change(uri, [
        { range: { start: { line, character: col }, end: { line, character: end } }, text: i % 2 ? '' : 'x' },
      ]);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    return {
      lines: lines.length,
      openMs,
      editMedianMs: times[Math.floor(times.length / 2)],
      editP90Ms: times[Math.floor(times.length * 0.9)],
    };
  } finally {
    await client.stop();
  }
}
