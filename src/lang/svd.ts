// A CMSIS-SVD description of every device's config space, generated from the register table, so the Peripheral
// Viewer extension shows each PCI function register by register and field by field. The debug adapter answers
// readMemory in the ECAM window with the function's config space as the guest reads it.

import { CONFIG_HEADER, PM_CAPABILITY, PM_CAP_OFFSET, RegisterDef, ecamAddress } from './domain/pci';
import { Program } from './program';

const ACCESS: Record<string, string> = { RO: 'read-only', RW: 'read-write', RW1C: 'read-write', HwInit: 'read-only' };

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function registerXml(def: RegisterDef, offset: number): string {
  const fields = def.fields
    .map((f) => {
      const values = f.values
        ? `<enumeratedValues>${Object.entries(f.values)
            .map(([v, n]) => `<enumeratedValue><name>${xml(n)}</name><value>${v}</value></enumeratedValue>`)
            .join('')}</enumeratedValues>`
        : '';
      const w1c = f.access === 'RW1C' ? '<modifiedWriteValues>oneToClear</modifiedWriteValues>' : '';
      return `<field><name>${xml(f.name)}</name><description>${xml(f.doc)}</description><bitOffset>${f.lsb}</bitOffset><bitWidth>${f.width}</bitWidth><access>${ACCESS[f.access]}</access>${w1c}${values}</field>`;
    })
    .join('');
  return `<register><name>${xml(def.name)}</name><description>${xml(def.doc)}</description><addressOffset>0x${offset.toString(16)}</addressOffset><size>${def.size * 8}</size><access>${ACCESS[def.access]}</access>${fields ? `<fields>${fields}</fields>` : ''}</register>`;
}

export function svdForProgram(program: Program, vmIndex = 0): string {
  const vm = program.vms[vmIndex];
  const registers = [
    ...CONFIG_HEADER.map((d) => registerXml(d, d.offset)),
    ...PM_CAPABILITY.map((d) => registerXml(d, PM_CAP_OFFSET + d.offset)),
  ].join('');
  const peripherals = (vm?.devices ?? [])
    .map((d) => {
      const bdf = `${d.bus.toString(16).padStart(2, '0')}:${d.dev.toString(16).padStart(2, '0')}.${d.fn}`;
      return `<peripheral><name>${xml(d.name)}</name><description>${xml(`${d.model} at ${bdf}: PCI config space`)}</description><groupName>PCI</groupName><baseAddress>0x${ecamAddress(d.bus, d.dev, d.fn).toString(16)}</baseAddress><addressBlock><offset>0</offset><size>0x100</size><usage>registers</usage></addressBlock><registers>${registers}</registers></peripheral>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<device schemaVersion="1.3" xmlns:xs="http://www.w3.org/2001/XMLSchema-instance"><name>${xml(vm?.name ?? 'scenario')}</name><version>1.0</version><description>PCI functions of VM ${xml(vm?.name ?? '')} (suspend-flow)</description><addressUnitBits>8</addressUnitBits><width>32</width><size>32</size><peripherals>${peripherals}</peripherals></device>\n`;
}
