// Preloaded (NODE_OPTIONS=--import) into the devnet's `node start` children when the bench is
// asked for profiles: Node 20 refuses --cpu-prof in NODE_OPTIONS, so the inspector records one
// and writes it to $CAIRN_CPU_PROFILE_DIR/<pid>.cpuprofile when the node exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.CAIRN_CPU_PROFILE_DIR;
if (dir && process.argv.includes('node') && process.argv.includes('start')) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  let written = false;
  process.on('exit', () => {
    if (written) return;
    written = true;
    // The inspector answers synchronously inside an exit handler: nothing else is left to run.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(`${dir}/${process.pid}.cpuprofile`, JSON.stringify(result.profile));
    });
  });
}
