import { formatShape } from '@backprop/tensor';
import type { LayerConfig, Module } from './module.js';

// How a module reads as text: `toString()`'s tree and `summary()`'s table.

/** `Type(option=value, …)` then each child on its own line, indented under `indent`. */
export function describeTree(module: Module, indent: string): string {
  const options = describeOptions(module);
  const children = module.namedChildren();
  const head = `${module.typeName}(${options}`;
  if (children.length === 0) return `${head})`;
  const inner = `${indent}  `;
  const lines = children.map(([name, child]) => `${inner}(${name}): ${describeTree(child, inner)}`);
  return `${head}${options === '' ? '' : ','}\n${lines.join('\n')}\n${indent})`;
}

/** `summary()`'s table: each module by path and type, its output shape (given `shapes`) and its own parameter count, then the totals. */
export function summarize(root: Module, shapes: Record<string, number[]> | undefined): string {
  const rows = root.namedModules().map(([path, m]) => {
    const own = m.namedParameters().filter(([name]) => !name.includes('.'));
    const count = own.reduce((n, [, p]) => n + p.size, 0);
    const depth = path === '' ? 0 : path.split('.').length;
    const shape = shapes?.[path];
    return [
      `${'  '.repeat(depth)}${path === '' ? '(model)' : path} (${m.typeName})`,
      shape ? formatShape(shape) : '',
      count.toLocaleString('en-US'),
    ];
  });
  const header = ['Layer (type)', shapes ? 'Output shape' : '', 'Params'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const total = root.parameterCount();
  const trainable = root.parameterCount(true);
  return [
    line(header),
    '─'.repeat(widths.reduce((a, b) => a + b + 2, -2)),
    ...rows.map(line),
    '─'.repeat(widths.reduce((a, b) => a + b + 2, -2)),
    `Total parameters: ${total.toLocaleString('en-US')} (trainable ${trainable.toLocaleString('en-US')})`,
  ].join('\n');
}

/** `key=value, …` of a module's config, without its type and nested layer configs (the children); '' for a module without a config. */
function describeOptions(module: Module): string {
  let config: LayerConfig;
  try {
    config = module.getConfig();
  } catch {
    return '';
  }
  const isLayerConfig = (v: unknown) => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
  return Object.entries(config)
    .filter(([key, value]) => key !== 'type' && !isLayerConfig(value) && !(Array.isArray(value) && value.some(isLayerConfig)))
    .map(([key, value]) => `${key}=${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`)
    .join(', ');
}
