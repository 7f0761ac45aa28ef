// tsyringe needs the Reflect polyfill before any decorated kernel class is evaluated.
import 'reflect-metadata';
// `cairn/testing`: what an app's own tests need to run it on a small in-process network.
export {
  idOf,
  startTestNetwork,
  testSigner,
  TEST_TARGET,
  type TestNetwork,
  type TestNetworkOptions,
  type TestSigner,
} from './test-network.js';
