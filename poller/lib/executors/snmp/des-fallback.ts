import { createCipheriv, randomBytes } from 'node:crypto';
import snmp from 'net-snmp';
import { decryptDesCbc, encryptDesCbc } from './des-cbc.js';

/**
 * SNMPv3 DES privacy without OpenSSL's legacy provider. Node 20 links
 * OpenSSL 3, where `des-cbc` is unavailable unless node runs with
 * --openssl-legacy-provider; net-snmp then fails every DES request with
 * "digital envelope routines::unsupported". Plenty of deployed switches only
 * speak DES, so when the native cipher is missing the library's DES hooks are
 * replaced by the same RFC 3414 section 8 procedure on our TypeScript DES-CBC
 * (des-cbc.ts; net-snmp ships a lib/des.js but it does not produce standard
 * DES output and the library does not use it). Idempotent; a no-op when
 * native DES works.
 */
export function ensureDesPrivacy(): void {
  if (installed || nativeDesWorks()) return;
  const algorithm = snmp.Encryption.algorithms[snmp.PrivProtocols.des!];
  if (!algorithm) return;
  algorithm.encryptPdu = encryptPduDes;
  algorithm.decryptPdu = decryptPduDes;
  installed = true;
}

let installed = false;

const KEY_LENGTH = 8;
const BLOCK_LENGTH = 8;

function nativeDesWorks(): boolean {
  try {
    createCipheriv('des-cbc', Buffer.alloc(KEY_LENGTH), Buffer.alloc(BLOCK_LENGTH));
    return true;
  } catch {
    return false;
  }
}

interface Engine {
  engineID: Buffer;
}

/** RFC 3414 8.1.1.1: DES key = first 8 bytes of the localized key, pre-IV = the next 8. */
function deriveKeyAndPreIv(authProtocol: number, privPassword: string, engine: Engine): { key: Buffer; preIv: Buffer } {
  const localized = snmp.Authentication.passwordToKey(authProtocol, privPassword, engine.engineID);
  return { key: Buffer.from(localized.subarray(0, KEY_LENGTH)), preIv: Buffer.from(localized.subarray(KEY_LENGTH, KEY_LENGTH + BLOCK_LENGTH)) };
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK_LENGTH);
  for (let i = 0; i < BLOCK_LENGTH; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function encryptPduDes(scopedPdu: Buffer, _privProtocol: number, privPassword: string, authProtocol: number, engine: Engine) {
  const { key, preIv } = deriveKeyAndPreIv(authProtocol, privPassword, engine);
  // Salt: our (non-persistent) boots counter, 1, then 4 random bytes, as net-snmp does.
  const salt = Buffer.concat([Buffer.from([0, 0, 0, 1]), randomBytes(4)]);
  const padded = Buffer.alloc(Math.ceil(scopedPdu.length / BLOCK_LENGTH) * BLOCK_LENGTH);
  scopedPdu.copy(padded);
  return { encryptedPdu: encryptDesCbc(key, xor(preIv, salt), padded), msgPrivacyParameters: salt };
}

function decryptPduDes(encryptedPdu: Buffer, _privProtocol: number, privParameters: Buffer, privPassword: string, authProtocol: number, engine: Engine) {
  const { key, preIv } = deriveKeyAndPreIv(authProtocol, privPassword, engine);
  return decryptDesCbc(key, xor(preIv, privParameters), encryptedPdu);
}
