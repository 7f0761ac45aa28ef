import 'reflect-metadata';
import { benchNode, nextBlock } from './nodes.mjs';
const source = await benchNode({ network: false });
const blocks = [];
let time = Date.now() - 10000 * 1000;
for (let i = 0; i < 5000; i++) { const b = nextBlock(source.node, [], (time += 1000)); blocks.push(b); await source.node.chain.submitBlock(b); }
const local = await benchNode({ network: false });
const t = performance.now();
for (const b of blocks) await local.node.chain.submitBlock(b);
console.log('rate', 5000 / ((performance.now() - t) / 1000));
await local.close(); await source.close();
