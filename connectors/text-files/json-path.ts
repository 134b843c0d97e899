import { JsonNumberText, type DocumentValue } from '../sdk/index.ts';

/**
 * The value at a simple JSON path (`a.b[0].c`, `[2].name`, `items[*]` is not supported) inside a parsed value;
 * undefined when any step is missing.
 */
export function valueAtPath(root: DocumentValue, path: string): DocumentValue | undefined {
  let current: DocumentValue | undefined = root;
  for (const step of pathSteps(path)) {
    if (current === null || current === undefined || typeof current !== 'object' || current instanceof JsonNumberText) return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (Array.isArray(current)) return undefined;
      current = Object.hasOwn(current, step) ? current[step] : undefined;
    }
  }
  return current;
}

function pathSteps(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    if (m[2] !== undefined) steps.push(Number(m[2]));
    else if (m[1] !== undefined) steps.push(m[1]);
  }
  return steps;
}
