import { isIPv4 } from 'node:net';
import { z } from 'zod';

/**
 * Strict params of the snmp.* job types (job-protocol.md). Cross-field rules
 * (community for v1/v2c, a v3 block matching its level) are zod refinements
 * with a path, so each problem reads `params.v3.authKey: ...`.
 */

const OID_PATTERN = /^\.?[0-2](\.(0|[1-9]\d{0,9}))+$/;
const MAX_SUBID = 4294967295;

export const oidSchema = z
  .string()
  .max(1408)
  .regex(OID_PATTERN, { message: 'must be a numeric OID such as 1.3.6.1.2.1.1.5.0', abort: true })
  .refine((oid) => oid.split('.').every((part) => part === '' || Number(part) <= MAX_SUBID), 'sub-identifier above 4294967295')
  .refine((oid) => oid.split('.').length <= 129, 'more than 128 sub-identifiers')
  .transform((oid) => (oid.startsWith('.') ? oid.slice(1) : oid));

// RFC 3414 asks for passphrases of 8+ characters; net-snmp's own tools refuse shorter ones.
const passphrase = z.string().min(8, 'must be at least 8 characters').max(256);

export const AUTH_PROTOCOLS = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const PRIV_PROTOCOLS = ['des', 'aes', 'aes256b', 'aes256r'] as const;
export const SECURITY_LEVELS = ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const;

const v3Schema = z.strictObject({
  user: z.string().min(1).max(32),
  level: z.enum(SECURITY_LEVELS),
  authProtocol: z.enum(AUTH_PROTOCOLS).optional(),
  authKey: passphrase.optional(),
  privProtocol: z.enum(PRIV_PROTOCOLS).optional(),
  privKey: passphrase.optional(),
  context: z.string().max(255).optional(),
});
export type SnmpV3Params = z.infer<typeof v3Schema>;

const commonShape = {
  version: z.enum(['1', '2c', '3']),
  community: z.string().min(1).max(255).optional(),
  v3: v3Schema.optional(),
  retries: z.number().int().min(0).max(10).default(1),
};

export type SnmpCredentials = {
  version: '1' | '2c' | '3';
  community?: string | undefined;
  v3?: SnmpV3Params | undefined;
  retries: number;
};

type Ctx = z.core.$RefinementCtx<SnmpCredentials & { oids?: string[]; nonRepeaters?: number }>;

function checkCredentials(params: SnmpCredentials, ctx: Ctx): void {
  const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (params.version !== '3') {
    if (params.community === undefined) problem(['community'], `required for version ${params.version}`);
    if (params.v3 !== undefined) problem(['v3'], `only for version 3 (version is ${params.version})`);
    return;
  }
  if (params.community !== undefined) problem(['community'], 'not used with version 3 (use v3)');
  const v3 = params.v3;
  if (v3 === undefined) return problem(['v3'], 'required for version 3');
  const needsAuth = v3.level !== 'noAuthNoPriv';
  const needsPriv = v3.level === 'authPriv';
  for (const field of ['authProtocol', 'authKey'] as const) {
    if (needsAuth && v3[field] === undefined) problem(['v3', field], `required for level ${v3.level}`);
    if (!needsAuth && v3[field] !== undefined) problem(['v3', field], `not used with level ${v3.level}`);
  }
  for (const field of ['privProtocol', 'privKey'] as const) {
    if (needsPriv && v3[field] === undefined) problem(['v3', field], `required for level ${v3.level}`);
    if (!needsPriv && v3[field] !== undefined) problem(['v3', field], `not used with level ${v3.level}`);
  }
}

export const getParamsSchema = z
  .strictObject({ ...commonShape, oids: z.array(oidSchema).min(1).max(128) })
  .superRefine(checkCredentials);
export type SnmpGetParams = z.infer<typeof getParamsSchema>;

export const getBulkParamsSchema = z
  .strictObject({
    ...commonShape,
    oids: z.array(oidSchema).min(1).max(128),
    nonRepeaters: z.number().int().min(0).max(128).default(0),
    maxRepetitions: z.number().int().min(1).max(1000).default(10),
  })
  .superRefine((params, ctx) => {
    checkCredentials(params, ctx);
    if (params.version === '1') ctx.addIssue({ code: 'custom', path: ['version'], message: 'getbulk needs version 2c or 3' });
    if (params.nonRepeaters > params.oids.length) {
      ctx.addIssue({ code: 'custom', path: ['nonRepeaters'], message: `larger than the number of oids (${params.oids.length})` });
    }
  });
export type SnmpGetBulkParams = z.infer<typeof getBulkParamsSchema>;

export const walkParamsSchema = z
  .strictObject({
    ...commonShape,
    oid: oidSchema,
    maxRepetitions: z.number().int().min(1).max(1000).default(25),
    maxRows: z.number().int().min(1).max(1_000_000).default(100_000),
  })
  .superRefine(checkCredentials);
export type SnmpWalkParams = z.infer<typeof walkParamsSchema>;

const uint32 = z.number().int().min(0).max(MAX_SUBID);
const setVarbindSchema = z.discriminatedUnion('type', [
  z.strictObject({ oid: oidSchema, type: z.literal('Integer'), value: z.number().int().min(-2147483648).max(2147483647) }),
  z.strictObject({ oid: oidSchema, type: z.literal('Counter32'), value: uint32 }),
  z.strictObject({ oid: oidSchema, type: z.literal('Gauge32'), value: uint32 }),
  z.strictObject({ oid: oidSchema, type: z.literal('TimeTicks'), value: uint32 }),
  z.strictObject({
    oid: oidSchema,
    type: z.literal('Counter64'),
    value: z.string().regex(/^\d{1,20}$/, 'must be a decimal string').refine((v) => BigInt(v) < 2n ** 64n, 'above 2^64-1'),
  }),
  z.strictObject({ oid: oidSchema, type: z.literal('OctetString'), value: z.string().max(65535) }),
  // Binary octet strings (MAC addresses, bit masks) as hex, the form results carry them in.
  z.strictObject({ oid: oidSchema, type: z.literal('OctetStringHex'), value: z.string().max(131070).regex(/^([0-9a-fA-F]{2})*$/, 'must be hex pairs') }),
  z.strictObject({ oid: oidSchema, type: z.literal('ObjectIdentifier'), value: oidSchema }),
  z.strictObject({ oid: oidSchema, type: z.literal('IpAddress'), value: z.string().refine(isIPv4, 'must be an IPv4 address') }),
]);
export type SnmpSetVarbind = z.infer<typeof setVarbindSchema>;

export const setParamsSchema = z
  .strictObject({ ...commonShape, varbinds: z.array(setVarbindSchema).min(1).max(128) })
  .superRefine(checkCredentials);
export type SnmpSetParams = z.infer<typeof setParamsSchema>;
