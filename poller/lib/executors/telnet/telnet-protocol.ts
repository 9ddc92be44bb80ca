/**
 * Telnet (RFC 854/855) byte-level protocol: a streaming decoder that splits
 * IAC commands from data and decides the answers, and an encoder for what we
 * type. Pure: bytes in, bytes out, no sockets.
 *
 * Negotiation policy: we accept the server's WILL ECHO and WILL SUPPRESS-GO-
 * AHEAD (character-at-a-time with remote echo, what every CLI expects) and
 * refuse everything else (DONT for the server's offers, WONT for its requests:
 * no terminal type, window size, environment or linemode). Each option is
 * answered at most once per direction, so a confused peer cannot start a
 * negotiation loop.
 */
export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;
export const OPT_ECHO = 1;
export const OPT_SGA = 3;

const ACCEPTED_REMOTE = new Set([OPT_ECHO, OPT_SGA]);
const VERB_NAMES: Record<number, string> = { [DONT]: 'DONT', [DO]: 'DO', [WONT]: 'WONT', [WILL]: 'WILL' };
const OPTION_NAMES: Record<number, string> = {
  0: 'BINARY', 1: 'ECHO', 3: 'SGA', 5: 'STATUS', 6: 'TIMING-MARK', 24: 'TTYPE', 31: 'NAWS', 32: 'TSPEED',
  33: 'LFLOW', 34: 'LINEMODE', 35: 'XDISPLOC', 36: 'OLD-ENVIRON', 37: 'AUTHENTICATION', 38: 'ENCRYPT', 39: 'NEW-ENVIRON',
};

export function describeCommand(verb: number, option: number): string {
  return `${VERB_NAMES[verb] ?? `CMD${verb}`} ${OPTION_NAMES[option] ?? String(option)}`;
}

export interface DecodedChunk {
  /** Application bytes with every telnet sequence removed. */
  data: Buffer;
  /** Bytes to send back (negotiation answers), possibly empty. */
  reply: Buffer;
  /** Human-readable log of what was negotiated ("WILL ECHO -> DO ECHO"), for debugging and golden tests. */
  events: string[];
}

type State = 'data' | 'iac' | 'verb' | 'sb' | 'sb-iac';

export class TelnetDecoder {
  #state: State = 'data';
  #verb = 0;
  #lastWasCr = false;
  readonly #remoteEnabled = new Set<number>();
  readonly #answered = new Set<string>();

  feed(chunk: Uint8Array): DecodedChunk {
    const data: number[] = [];
    const reply: number[] = [];
    const events: string[] = [];
    for (const byte of chunk) {
      switch (this.#state) {
        case 'data':
          if (byte === IAC) this.#state = 'iac';
          else if (byte === 0 && this.#lastWasCr) this.#lastWasCr = false; // CR NUL is a bare CR
          else this.#pushData(data, byte);
          break;
        case 'iac':
          if (byte === IAC) {
            this.#pushData(data, IAC);
            this.#state = 'data';
          } else if (byte === DO || byte === DONT || byte === WILL || byte === WONT) {
            this.#verb = byte;
            this.#state = 'verb';
          } else if (byte === SB) {
            this.#state = 'sb';
          } else {
            // NOP, GA, DM, AYT and friends carry no data for us.
            this.#state = 'data';
          }
          break;
        case 'verb':
          this.#negotiate(this.#verb, byte, reply, events);
          this.#state = 'data';
          break;
        case 'sb':
          if (byte === IAC) this.#state = 'sb-iac';
          break;
        case 'sb-iac':
          // IAC SE ends the subnegotiation; IAC IAC is an escaped 255 inside it. Either way its content is ignored.
          this.#state = byte === SE ? 'data' : 'sb';
          break;
      }
    }
    return { data: Buffer.from(data), reply: Buffer.from(reply), events };
  }

  #pushData(data: number[], byte: number): void {
    data.push(byte);
    this.#lastWasCr = byte === 13;
  }

  #negotiate(verb: number, option: number, reply: number[], events: string[]): void {
    const answer = this.#decide(verb, option);
    const heard = describeCommand(verb, option);
    if (answer === undefined) {
      events.push(`${heard} -> (no answer)`);
      return;
    }
    const key = `${answer}:${option}`;
    if (this.#answered.has(key)) {
      events.push(`${heard} -> (already answered)`);
      return;
    }
    this.#answered.add(key);
    reply.push(IAC, answer, option);
    events.push(`${heard} -> ${describeCommand(answer, option)}`);
  }

  #decide(verb: number, option: number): number | undefined {
    if (verb === WILL) {
      if (ACCEPTED_REMOTE.has(option)) {
        if (this.#remoteEnabled.has(option)) return undefined;
        this.#remoteEnabled.add(option);
        return DO;
      }
      return DONT;
    }
    if (verb === WONT) {
      // Acknowledge only a change of state (RFC 1143); a WONT for something never enabled needs no answer.
      if (!this.#remoteEnabled.delete(option)) return undefined;
      this.#answered.delete(`${DO}:${option}`);
      return DONT;
    }
    if (verb === DO) return WONT;
    return undefined; // DONT: we never enable local options, so we are already where the peer wants us.
  }
}

/** Encodes typed text: UTF-8 (which never contains 0xFF, so nothing to escape), a CR not followed by LF sent as CR NUL (RFC 854). */
export function encodeTelnetText(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i]!;
    out.push(byte);
    if (byte === 13 && bytes[i + 1] !== 10) out.push(0);
  }
  return Buffer.from(out);
}
