// A multi-million-request trace streamed through the serving simulation, run as its own process so its peak RSS is
// its own: `node --import tsx bench/workloads/trace-stream.ts REQUESTS` writes an Azure-format CSV of REQUESTS
// synthetic rows to a temporary file, replays it on 4 replicas and prints {requests, completed, seconds, peakMiB}.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../sim/engine/index.ts';
import { checkDeployment, LATENCY_MODELS } from '../../sim/perf/index.ts';
import { simulateServing, TraceRequests } from '../../sim/serving/index.ts';
import { fileLines } from '../../src/serving/trace-file.ts';

/** 200 requests a second, short prompts and answers: replicas stay loaded, queues stay short. */
const RATE = 200;

function writeTrace(path: string, requests: number): void {
  const fd = openSync(path, 'w');
  const random = new Random(5);
  const start = Date.UTC(2024, 4, 10);
  let chunk = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
  for (let i = 0; i < requests; i++) {
    const at = new Date(start + Math.floor((i / RATE) * 1000)).toISOString();
    chunk += `${at.slice(0, 10)} ${at.slice(11, 23)}0000,${random.int(64, 192)},${random.int(2, 6)}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

const requests = Number(process.argv[2] ?? 5_000_000);
const dir = mkdtempSync(join(tmpdir(), 'lwsim-trace-'));
try {
  const path = join(dir, 'azure-synthetic.csv');
  writeTrace(path, requests);
  const checked = checkDeployment({ model: 'llama-3.1-70b', gpu: 'H100-SXM-80GB', tp: 4 });
  if (!checked.ok) throw new Error(checked.message);
  const begin = performance.now();
  const trace = new TraceRequests(fileLines(path), 'azure');
  const result = simulateServing({
    pricer: LATENCY_MODELS.calibrated.create(checked.deployment),
    replicas: 4,
    router: 'least-outstanding',
    requests: trace,
  });
  if (trace.problem) throw new Error(`line ${trace.problem.line}: ${trace.problem.message}`);
  const seconds = (performance.now() - begin) / 1000;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ requests, completed: result.completed, seconds, peakMiB })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
