/** Shows a broker URL without its password: safe for logs and errors. */
export function redactDsn(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'xxxxx';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** host:port of a broker URL, for log lines that should not carry the user either. */
export function brokerAddress(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'amqps:' ? '5671' : '5672');
    return `${parsed.hostname}:${port}`;
  } catch {
    return '(unparseable URL)';
  }
}
