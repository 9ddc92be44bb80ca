/** Maps a socket error while connecting to the job error codes of the protocol (E_REFUSED, E_UNREACHABLE). */
export function classifyConnectError(error: NodeJS.ErrnoException, host: string, port: number): { code: string; message: string } {
  switch (error.code) {
    case 'ECONNREFUSED':
      return { code: 'E_REFUSED', message: `${host}:${port} refused the connection` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: 'E_UNREACHABLE', message: `cannot resolve ${host}` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'EHOSTDOWN':
      return { code: 'E_UNREACHABLE', message: `${host}:${port} is unreachable (${error.code})` };
    default:
      return { code: 'E_UNREACHABLE', message: `cannot connect to ${host}:${port} (${error.code ?? error.message})` };
  }
}
