import { seconds } from './sim/engine/index.ts';
import { WorkloadHistory } from './sim/simulator/workload-history.ts';
import { inference, model, template } from './test/support/workloads.ts';
for (const withHistory of [false, true, false, true]) {
  const m = model(64);
  if (withHistory) new WorkloadHistory(m);
  else m.observers.on('workload-touched', () => {});
  const ids: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 20000; i++) {
    const w = m.createWorkload({ spec: inference({ name: `w${i}`, workers: 0, worker: null, leader: template(1) }), useGivenNameAsPrefix: false, createdBy: 'x', request: '{}' });
    if (w.ok) ids.push(w.value.id);
    m.advanceTo(seconds(i * 2));
    if (ids.length > 200) m.deleteWorkload(ids.shift()!);
  }
  console.log(withHistory, ((performance.now() - t0) / 20000 * 1000).toFixed(1), 'us per create');
}
