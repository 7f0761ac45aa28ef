// tsyringe needs the Reflect polyfill before any decorated kernel class is evaluated.
import 'reflect-metadata';
// `@cairn-chain/cairn/testing`: what an app's own tests need to run it on a small in-process network, and
// the compliance suites a plugin proves itself with.
export {
  idOf,
  startTestNetwork,
  testSigner,
  TEST_TARGET,
  type TestNetwork,
  type TestNetworkOptions,
  type TestSigner,
} from './test-network.js';
export { codeOf, rejectionOf, sleep, waitUntil, type ComplianceTestApi } from './compliance-api.js';
export { collectMessages, describeTransportCompliance, type ReceivedMessage, type TransportPair } from './transport-compliance.js';
export { describeStoreCompliance, type StoreUnderTest } from './store-compliance.js';
export { describeDiscoveryCompliance, type DiscoveryUnderTest } from './discovery-compliance.js';
export { describeConsensusCompliance, type ConsensusUnderTest } from './consensus-compliance.js';
