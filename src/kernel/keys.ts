import { generateKeyPairSync } from 'node:crypto';
import type { KeyPairHex } from './tx.js';

export function generateKeyPair(): KeyPairHex {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  return {
    publicKey: Buffer.from(pub.x!, 'base64url').toString('hex'),
    privateKey: Buffer.from(priv.d!, 'base64url').toString('hex'),
  };
}
