// The outline: VMs with their devices, the host with its policies and timed actions, vCPU programs and procs with
// their labels, the expected violations, and the explore declaration with its bounds. Read from the syntax tree, so it
// is there even while the scenario
// has errors.

import { DocumentSymbol, SymbolKind } from 'vscode-languageserver';
import * as A from '../lang/ast';
import { forEachStatement } from '../lang/ast-walk';
import { Span } from '../lang/source';
import type { Analysis } from './analysis';

export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const text = analysis.text;
  const sym = (
    name: string,
    kind: SymbolKind,
    span: Span,
    selection: Span,
    detail?: string,
    children?: DocumentSymbol[],
  ): DocumentSymbol => ({
    name: name || '?',
    kind,
    range: analysis.range(span),
    selectionRange: analysis.range(selection),
    detail,
    children,
  });
  const labels = (block: A.Block): DocumentSymbol[] => {
    const found: DocumentSymbol[] = [];
    forEachStatement(block, (s) => {
      if (s.kind === 'label') found.push(sym(s.name.text, SymbolKind.Key, s.span, s.name.span, 'label'));
    });
    return found;
  };
  for (const item of analysis.ast.items) {
    switch (item.kind) {
      case 'vm': {
        const hypervisor = item.members.find((m): m is A.HypervisorDecl => m.kind === 'hypervisor');
        const vcpus = item.members.find((m): m is A.VcpusDecl => m.kind === 'vcpus');
        const detail = [
          hypervisor?.flavour.text,
          vcpus ? `${text.slice(vcpus.count.span.start, vcpus.count.span.end)} vCPUs` : undefined,
        ]
          .filter(Boolean)
          .join(', ');
        const devices = item.members
          .filter((m): m is A.DeviceDecl => m.kind === 'device')
          .map((d) => sym(d.name.text, SymbolKind.Object, d.span, d.name.span, `${d.model.text} at ${d.bdf.text}`));
        out.push(sym(item.name.text, SymbolKind.Namespace, item.span, item.name.span, detail || 'vm', devices));
        break;
      }
      case 'host': {
        const children: DocumentSymbol[] = [];
        for (const m of item.members) {
          if (m.kind === 'policy')
            children.push(
              sym(`policy ${text.slice(m.subject.span.start, m.span.end)}`, SymbolKind.Property, m.span, m.rule.span),
            );
          else if (m.kind === 'at')
            children.push(sym(text.slice(m.span.start, m.span.end), SymbolKind.Event, m.span, m.from.span));
          else if (m.kind === 'setting')
            children.push(sym(text.slice(m.span.start, m.span.end), SymbolKind.Property, m.span, m.name.span));
        }
        const head = { start: item.span.start, end: item.span.start + 4 };
        out.push(sym('host', SymbolKind.Object, item.span, head, 'host', children));
        break;
      }
      case 'program':
        out.push(
          sym(
            `${item.vm.text}.${item.vcpu.text}`,
            SymbolKind.Function,
            item.span,
            { start: item.vm.span.start, end: item.vcpu.span.end },
            'program',
            labels(item.body),
          ),
        );
        break;
      case 'proc':
        out.push(
          sym(
            item.name.text,
            SymbolKind.Function,
            item.span,
            item.name.span,
            `proc(${item.params.map((p) => p.text).join(', ')})`,
            labels(item.body),
          ),
        );
        break;
      case 'expectViolation':
        out.push(sym(`expect violation ${item.invariant.text}`, SymbolKind.Event, item.span, item.invariant.span));
        break;
      case 'explore': {
        const bounds = item.members.filter((m): m is A.ExploreMember => m.kind === 'bound');
        const children = bounds.map((m) =>
          sym(text.slice(m.span.start, m.span.end), SymbolKind.Property, m.span, m.name.span),
        );
        out.push(
          sym(
            'explore',
            SymbolKind.Object,
            item.span,
            item.keyword,
            bounds.length ? 'explore' : 'default bounds',
            children,
          ),
        );
        break;
      }
      case 'error':
      default:
        break;
    }
  }
  return out;
}
