// The cryptography of secret elections: ristretto255, exponential ElGamal, zero-knowledge
// proofs, Pedersen's key ceremony and threshold decryption. docs/election-record.md gives
// every encoding byte for byte.
export * from './errors.js';
export * from './group.js';
export * from './transcript.js';
export * from './elgamal.js';
export * from './proofs/schnorr.js';
export * from './proofs/dleq.js';
export * from './proofs/one-of.js';
export * from './ballot.js';
export * from './dkg.js';
export * from './threshold.js';
export * from './ceremony.js';
export * from './dlog.js';
