/**
 * Replaces every occurrence of the given secret strings in `text`. Used on
 * encoded results and error messages, because a device or a library may echo
 * a password or community back (a CLI that prints what was typed, an error
 * that quotes its input).
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values (e.g. "1") would wreck unrelated output; they are not secrets worth the damage.
    if (secret.length < 3) continue;
    // Most results never contain the secret: look before allocating a split copy of the text.
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret && out.includes(json)) out = out.split(json).join('[redacted]');
  }
  return out;
}

const SECRET_KEY = /(community|password|passphrase|secret|key|token|psk)$/i;

/**
 * Collects string values under secret-looking keys, at any depth. Iterative,
 * so a hostile, deeply nested body cannot overflow the stack.
 */
export function collectSecrets(value: unknown): string[] {
  const found: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (typeof child === 'string' && SECRET_KEY.test(key)) found.push(child);
        else stack.push(child);
      }
    }
  }
  return found;
}

/** Nesting depth of a parsed JSON value (iterative). */
export function measureDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}
