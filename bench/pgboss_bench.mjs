// pg-boss doing the work of personae_queue_bench, on the same PostgreSQL (bench/queue.sh runs both).
//
//   node bench/pgboss_bench.mjs URL enqueue JOBS BATCH        jobs/s sent (BATCH 1: send(); else insert())
//   node bench/pgboss_bench.mjs URL work JOBS WORKERS BATCH   jobs/s completed by WORKERS PgBoss instances
//                                                             (work() with batchSize BATCH, no-op handler)
//   node bench/pgboss_bench.mjs URL latency JOBS RATE         send-to-handler-start latency at RATE jobs/s
//
// Each worker is its own PgBoss instance (own pool), in this one Node process, as the C++ runners
// share one process. Maintenance and scheduling are off (supervise: false, schedule: false): the
// queue alone is measured. pg-boss polls: 0.5 s, its shortest interval. Output: key=value lines.
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(new URL('../tests/tools/package.json', import.meta.url))
const PgBoss = require('pg-boss')
const pg = require('pg')

const QUEUE = 'bench'
const [url, mode, ...rest] = process.argv.slice(2)

function boss (max = 4) {
  return new PgBoss({ connectionString: url, max, supervise: false, schedule: false, application_name: 'pgboss-bench' })
}

function nowUs () {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}

// A fresh pg-boss schema and queue (deleteQueue refuses a queue that still has jobs).
async function fresh () {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('DROP SCHEMA IF EXISTS pgboss CASCADE')
  await client.end()
  const b = boss(2)
  b.on('error', (error) => console.error(error))
  await b.start()
  await b.createQueue(QUEUE)
  return b
}

async function enqueue (jobs, batch) {
  const b = await fresh()
  const start = performance.now()
  if (batch === 1) {
    for (let i = 0; i < jobs; i++) await b.send(QUEUE, {})
  } else {
    for (let done = 0; done < jobs; done += batch) {
      const count = Math.min(batch, jobs - done)
      await b.insert(Array.from({ length: count }, () => ({ name: QUEUE, data: {} })))
    }
  }
  const seconds = (performance.now() - start) / 1000
  console.log(`pgboss-enqueue batch=${batch} jobs=${jobs} seconds=${seconds.toFixed(3)} rate=${Math.round(jobs / seconds)}`)
  await b.stop({ graceful: false, wait: true })
}

async function completed (client) {
  const result = await client.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'", [QUEUE])
  return result.rows[0].n
}

async function work (jobs, workers, batch) {
  const setup = await fresh()
  for (let done = 0; done < jobs; done += 1000) {
    await setup.insert(Array.from({ length: Math.min(1000, jobs - done) }, () => ({ name: QUEUE, data: {} })))
  }
  await setup.stop({ graceful: false, wait: true })
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const bosses = []
  for (let i = 0; i < workers; i++) {
    const b = boss(4)
    b.on('error', (error) => console.error(error))
    await b.start()
    bosses.push(b)
  }
  const start = performance.now()
  for (const b of bosses) await b.work(QUEUE, { batchSize: batch, pollingIntervalSeconds: 0.5 }, async () => {})
  while (await completed(client) < jobs) {
    if (performance.now() - start > 600_000) throw new Error('gave up after 600 s')
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  const seconds = (performance.now() - start) / 1000
  console.log(`pgboss-work workers=${workers} batch=${batch} jobs=${jobs} seconds=${seconds.toFixed(3)} rate=${Math.round(jobs / seconds)}`)
  for (const b of bosses) await b.stop({ graceful: false, wait: true })
  await client.end()
}

async function latency (jobs, rate) {
  const b = await fresh()
  const latencies = []
  // A batch per poll, so that it keeps up with the arrivals; each job's start is its batch's.
  await b.work(QUEUE, { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    const started = nowUs()
    for (const job of jobs) latencies.push((started - job.data.t) / 1000)
  })
  await new Promise((resolve) => setTimeout(resolve, 500))
  const period = 1000 / rate
  let next = performance.now()
  for (let i = 0; i < jobs; i++) {
    const wait = next - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    next += period
    await b.send(QUEUE, { t: nowUs() })
  }
  const deadline = performance.now() + 30_000
  while (latencies.length < jobs && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  await b.stop({ graceful: false, wait: true })
  if (latencies.length < jobs) throw new Error(`only ${latencies.length} of ${jobs} jobs ran`)
  latencies.sort((x, y) => x - y)
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
  console.log(`pgboss-latency jobs=${jobs} rate=${rate} p50_ms=${at(0.5).toFixed(2)} p99_ms=${at(0.99).toFixed(2)} max_ms=${latencies[latencies.length - 1].toFixed(2)}`)
}

const numbers = rest.map(Number)
if (mode === 'enqueue' && numbers.length === 2) await enqueue(...numbers)
else if (mode === 'work' && numbers.length === 3) await work(...numbers)
else if (mode === 'latency' && numbers.length === 2) await latency(...numbers)
else {
  console.error('usage: pgboss_bench.mjs URL enqueue JOBS BATCH | work JOBS WORKERS BATCH | latency JOBS RATE')
  process.exit(2)
}
