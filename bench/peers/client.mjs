// Peer client for the benchmarks: the npm SDKs `bosbase` and `pocketbase`, used
// the way their READMEs show. Neither has a custom-token sign-in, so their auth
// row is authWithPassword (the canned server answers both routes alike).
//
//   node client.mjs <node_modules dir> bosbase|pocketbase <base url> auth|list <calls> [warmup]
//
// Prints the same JSON line as the C++ clients (bench/client_main.hpp); CPU is
// process.cpuUsage() over the timed phase, which includes libuv and GC threads.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, sdk, url, op, callsArg, warmupArg] = process.argv.slice(2);
const calls = Number(callsArg);
const warmup = warmupArg === undefined ? Math.floor(calls / 10) : Number(warmupArg);
if (!["bosbase", "pocketbase"].includes(sdk) || !["auth", "list"].includes(op) || !(calls > 0)) {
    console.error("usage: node client.mjs <node_modules dir> bosbase|pocketbase <base url> auth|list <calls> [warmup]");
    process.exit(2);
}

// Loaded from the temp folder scripts/bench.sh installed them into, never from the repo.
const { default: Client } = await import(pathToFileURL(join(modules, sdk, "dist", `${sdk}.es.mjs`)).href);
const pb = new Client(url);
const call =
    op === "auth"
        ? () => pb.collection("users").authWithPassword("user@example.com", "user-password")
        : () => pb.collection("posts").getList(1, 30);

// VmHWM rather than resourceUsage().maxRSS, which Linux carries over from the
// process that exec'd node (the Python driver).
function vmHwmKb() {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : null;
}

async function timed(n) {
    for (let i = 0; i < n; i++) await call();
}

await timed(warmup);
const cpuBefore = process.cpuUsage();
const wallBefore = process.hrtime.bigint();
await timed(calls);
const wall = Number(process.hrtime.bigint() - wallBefore) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
console.log(
    JSON.stringify({
        client: `${sdk} (npm)`,
        op,
        calls,
        cpu_s: (cpu.user + cpu.system) / 1e6,
        user_s: cpu.user / 1e6,
        sys_s: cpu.system / 1e6,
        wall_s: wall,
        allocs: null,
        maxrss_kb: vmHwmKb(),
    }),
);
