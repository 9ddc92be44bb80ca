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
    out = out.split(secret).join('[redacted]');
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret) out = out.split(json).join('[redacted]');
  }
  return out;
}

const SECRET_KEY = /(community|password|passphrase|secret|key|token|psk)$/i;

/** Collects string values under secret-looking keys, at any depth. */
export function collectSecrets(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string' && SECRET_KEY.test(key)) found.push(item);
      else collectSecrets(item, found);
    }
  }
  return found;
}
