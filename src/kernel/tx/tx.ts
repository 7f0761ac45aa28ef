import canonicalize from 'canonicalize';
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sha256hex } from '../hash.js';
import type { Tx } from '../schemas.js';

/** The envelope's type comes from its schema (`TX_SCHEMA`). */
export type { Tx };

export type UnsignedTx = Omit<Tx, 'sig'>;

/** JCS (RFC 8785) encoding of everything the signature covers. */
export function signingBytes(chainId: string, tx: UnsignedTx): string {
  const text = canonicalize({ chain: chainId, app: tx.app, type: tx.type, payload: tx.payload, from: tx.from, nonce: tx.nonce });
  if (text === undefined) throw new TypeError('transaction is not JSON-encodable');
  return text;
}

/** Ed25519 is deterministic, so the hash of the signed encoding identifies the transaction. */
export function txId(chainId: string, tx: UnsignedTx): string {
  return sha256hex(signingBytes(chainId, tx));
}

// Importing a public key costs more than verifying with it (measured), so imported keys are
// kept; the map is cleared when full rather than tracked as an LRU to keep the hot path cheap.
const KEY_CACHE_LIMIT = 50_000;
const publicKeys = new Map<string, KeyObject>();

export function publicKeyFromHex(hex: string): KeyObject {
  let key = publicKeys.get(hex);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
    if (publicKeys.size >= KEY_CACHE_LIMIT) publicKeys.clear();
    publicKeys.set(hex, key);
  }
  return key;
}

export function verifyTxSignature(chainId: string, tx: Tx, bytes: string = signingBytes(chainId, tx)): boolean {
  try {
    return verify(null, Buffer.from(bytes), publicKeyFromHex(tx.from), Buffer.from(tx.sig, 'hex'));
  } catch {
    return false; // a malformed key or signature is simply not a valid signature
  }
}

/** An Ed25519 key pair as stored in a keystore: raw 32-byte halves in hex. */
export interface KeyPairHex {
  publicKey: string;
  privateKey: string;
}

export function privateKeyFromHex(pair: KeyPairHex): KeyObject {
  return createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(pair.publicKey, 'hex').toString('base64url'),
      d: Buffer.from(pair.privateKey, 'hex').toString('base64url'),
    },
    format: 'jwk',
  });
}

export function signTx(chainId: string, tx: UnsignedTx, key: KeyObject): Tx {
  const sig = sign(null, Buffer.from(signingBytes(chainId, tx)), key).toString('hex');
  return { ...tx, sig };
}
