'use strict';
// Usage: node holder.js PATH --hold-ms N
//
// Take proper-lockfile's lock on PATH, print LOCKED, hold it for N ms (or until a line arrives
// on stdin, whichever comes first), release it and print RELEASED.
const lockfile = require('./lockfile');

function parseArgs(argv) {
    const target = argv[0];
    const at = argv.indexOf('--hold-ms');
    const holdMs = at >= 0 ? Number(argv[at + 1]) : NaN;
    if (!target || Number.isNaN(holdMs)) {
        console.error('usage: holder.js PATH --hold-ms N');
        process.exit(2);
    }
    return { target, holdMs };
}

function holdFor(ms) {
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        process.stdin.on('data', () => {
            clearTimeout(timer);
            resolve();
        });
    });
}

async function main() {
    const { target, holdMs } = parseArgs(process.argv.slice(2));
    const release = await lockfile.lock(target, {
        retries: { retries: 30, minTimeout: 5, maxTimeout: 100 },
        stale: 10000,
        update: 5000,
    });
    process.stdout.write('LOCKED\n');
    await holdFor(holdMs);
    await release();
    process.stdout.write('RELEASED\n');
    process.exit(0);
}

main().catch((err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
});
