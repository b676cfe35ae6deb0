// Peer of bench/pubsub_roundtrip.cpp: the npm SDK `bosbase`, same steps, same JSON line.
// Node 20 needs --experimental-websocket (scripts/bench_pubsub.sh passes it).
//
//   node --experimental-websocket pubsub.mjs <node_modules dir> <base url> <email> <password> <n>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, url, email, password, nArg] = process.argv.slice(2);
const n = Number(nArg);
const { default: Client } = await import(pathToFileURL(join(modules, "bosbase", "dist", "bosbase.es.mjs")).href);
const pb = new Client(url);
if (!pb.pubsub) {
    // The npm releases up to 0.26.3 (latest as of December 2026) predate the repository's PubSubService.
    console.log(JSON.stringify({ sdk: "bosbase (npm)", skipped: "this npm release has no pb.pubsub" }));
    process.exit(0);
}
await pb.collection("users").authWithPassword(email, password);

const topic = `bench/${process.hrtime.bigint()}`;
let received = 0;
let waiter = null;
const unsubscribe = await pb.pubsub.subscribe(topic, () => {
    received++;
    if (waiter && received >= waiter.count) {
        const w = waiter;
        waiter = null;
        w.resolve();
    }
});
const waitFor = (count) =>
    received >= count ? Promise.resolve() : new Promise((resolve) => (waiter = { count, resolve }));
const now = () => Number(process.hrtime.bigint()) / 1000;  // µs

for (let i = 0; i < 20; i++) await pb.pubsub.publish(topic, { warmup: i });
await waitFor(20);

const rtt = [];
for (let i = 0; i < n; i++) {
    const t0 = now();
    await pb.pubsub.publish(topic, { n: i });
    await waitFor(20 + i + 1);
    rtt.push(now() - t0);
}
rtt.sort((a, b) => a - b);

const t0 = now();
for (let i = 0; i < n; i++) await pb.pubsub.publish(topic, { burst: i });
await waitFor(20 + 2 * n);
const seconds = (now() - t0) / 1e6;
console.log(JSON.stringify({
    sdk: "bosbase (npm)",
    n,
    rtt_median_us: Math.round(rtt[Math.floor(rtt.length / 2)]),
    rtt_p90_us: Math.round(rtt[Math.floor(rtt.length * 0.9)]),
    msgs_per_s: Math.round(n / seconds),
}));
await unsubscribe();
pb.pubsub.disconnect();
process.exit(0);
