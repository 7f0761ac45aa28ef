// Secret elections: the ceremony, encrypted ballots and the threshold tally as transactions,
// the client steps that build them, and the election record anyone can re-check.
export { MAX_SECRET_CHOICES, MAX_TRUSTEES, type SecretSpec, type BallotEncryptedPayload, type TrusteeDecryptPayload } from './schemas.js';
export { secretKeys, type CeremonyPhase, type SecretRecord, type SecretResult, type TrackedBallot } from './state.js';
export type { SecretElectionView, TrackingAnswer } from './queries.js';
export { trackingCode } from './tracking-code.js';
export { nextCeremonyStep, decryptionStep, trusteeSecrets, trusteePlace, type TrusteeStep, type TrusteeIdentity } from './trustee.js';
export { sealBallot, auditDraft, selectionRule, type BallotTerms, type SealedBallotDraft } from './voter.js';
export { RECORD_FORMAT, belongsTo, electionRecord, entriesOf, type ElectionRecordFile, type RecordEntry } from './record.js';
export { verifyElectionRecord, type RecordVerdict, type RecordCounts } from './verify-record.js';
