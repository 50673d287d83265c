// Where statements are: for each source file and line, the instructions that start there (a proc's line exists once
// per VM that uses the proc). Line breakpoints are verified, or moved to the next line with a statement, from here.

import { Program } from '../../lang/program';

export interface LineSite {
  vm: number;
  pc: number;
}

export class LineIndex {
  /** file path -> line (0-based) -> sites */
  private readonly byFile = new Map<string, Map<number, LineSite[]>>();

  constructor(program: Program) {
    program.vms.forEach((cfg, vm) => {
      cfg.code.forEach((instr, pc) => {
        if (!instr.stmt) return;
        // A breakpoint on a line stops where execution enters it: the first of consecutive instructions on it.
        const prev = cfg.code[pc - 1];
        if (prev && prev.loc.file === instr.loc.file && prev.loc.line === instr.loc.line) return;
        const path = instr.loc.file.path;
        let lines = this.byFile.get(path);
        if (!lines) this.byFile.set(path, (lines = new Map()));
        lines.set(instr.loc.line, [...(lines.get(instr.loc.line) ?? []), { vm, pc }]);
      });
    });
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  sites(path: string, line: number): LineSite[] {
    return this.byFile.get(path)?.get(line) ?? [];
  }

  /** The line itself if it has a statement, else the next line that has one (as gdb moves a breakpoint). */
  resolve(path: string, line: number): number | undefined {
    const lines = this.byFile.get(path);
    if (!lines) return undefined;
    let best: number | undefined;
    for (const l of lines.keys()) if (l >= line && (best === undefined || l < best)) best = l;
    return best;
  }

  /** Lines with statements in [from, to]. */
  linesIn(path: string, from: number, to: number): number[] {
    const lines = this.byFile.get(path);
    if (!lines) return [];
    return [...lines.keys()].filter((l) => l >= from && l <= to).sort((a, b) => a - b);
  }
}
