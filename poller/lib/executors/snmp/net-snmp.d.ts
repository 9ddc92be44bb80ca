// The net-snmp package ships no typings. This declares only the parts the
// poller and its test support use, so a typo against the library is caught.
declare module 'net-snmp' {
  import type { EventEmitter } from 'node:events';

  export interface RawVarbind {
    oid: string;
    type?: number;
    value?: unknown;
  }

  export type ResponseCallback<T> = (error: Error | null, varbinds?: T) => void;

  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    context?: string;
    idBitsSize?: 16 | 32;
    backwardsGetNexts?: boolean;
  }

  export interface V3User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export interface Req {
    responseCb: unknown;
    getId(): number;
  }

  export class Session extends EventEmitter {
    retries: number;
    timeout: number;
    reqs: Record<string, Req>;
    dgram: import('node:dgram').Socket;
    get(oids: string[], cb: ResponseCallback<RawVarbind[]>): this;
    getNext(oids: string[], cb: ResponseCallback<RawVarbind[]>): this;
    getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, cb: ResponseCallback<Array<RawVarbind | RawVarbind[]>>): this;
    set(varbinds: RawVarbind[], cb: ResponseCallback<RawVarbind[]>): this;
    unregisterRequest(id: number): Req | null;
    close(): this;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: V3User, options?: SessionOptions): Session;

  export interface MibProviderDefinition {
    name: string;
    type: number;
    oid: string;
    scalarType?: number;
    maxAccess: number;
    tableColumns?: Array<{ number: number; name: string; type: number; maxAccess: number }>;
    tableIndex?: Array<{ columnName: string }>;
    handler?: (request: { done(error?: { errorStatus: number }): void; instanceNode: { value: unknown } }) => void;
  }

  export interface Mib {
    registerProvider(definition: MibProviderDefinition): void;
    setScalarValue(name: string, value: unknown): void;
    getScalarValue(name: string): unknown;
    addTableRow(name: string, row: unknown[]): void;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: V3User): void;
  }

  export interface Agent {
    getMib(): Mib;
    getAuthorizer(): Authorizer;
    close(callback?: () => void): void;
  }

  export interface AgentOptions {
    port?: number;
    address?: string | null;
    transport?: 'udp4' | 'udp6';
    disableAuthorization?: boolean;
    engineID?: string;
  }

  export function createAgent(options: AgentOptions, callback: (error: Error | null, data?: unknown) => void): Agent;

  export class RequestTimedOutError extends Error {}
  export class RequestFailedError extends Error {
    status: number;
  }
  export class ResponseInvalidError extends Error {
    code: number;
  }
  export class RequestInvalidError extends Error {}

  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const ObjectType: Record<string, number>;
  export const ErrorStatus: Record<string, number | string>;
  export const SecurityLevel: Record<string, number>;
  export const AuthProtocols: Record<string, number>;
  export const PrivProtocols: Record<string, number>;
  export const MibProviderType: Record<string, number>;
  export const MaxAccess: Record<string, number>;
  export const ResponseInvalidCode: Record<string, number>;

  export interface EncryptionAlgorithm {
    KEY_LENGTH: number;
    BLOCK_LENGTH: number;
    encryptPdu: (...args: any[]) => unknown;
    decryptPdu: (...args: any[]) => unknown;
  }

  const snmp: {
    Authentication: { passwordToKey(authProtocol: number, password: string, engineID: Buffer): Buffer };
    Encryption: { algorithms: Record<number, EncryptionAlgorithm> };
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    createAgent: typeof createAgent;
    RequestTimedOutError: typeof RequestTimedOutError;
    RequestFailedError: typeof RequestFailedError;
    ResponseInvalidError: typeof ResponseInvalidError;
    RequestInvalidError: typeof RequestInvalidError;
    Version1: number;
    Version2c: number;
    Version3: number;
    ObjectType: Record<string, number>;
    ErrorStatus: Record<string, number | string>;
    SecurityLevel: Record<string, number>;
    AuthProtocols: Record<string, number>;
    PrivProtocols: Record<string, number>;
    MibProviderType: Record<string, number>;
    MaxAccess: Record<string, number>;
    ResponseInvalidCode: Record<string, number>;
  };
  export default snmp;
}

