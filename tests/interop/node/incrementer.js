'use strict';
// Usage: node incrementer.js LISTDIR ID... --name NAME --seconds S
//
// For S seconds, pick a task at random, lock <LISTDIR>/<ID>.json the way Claude Code does,
// read it, add one to metadata.counters[NAME], write it back in place (truncate, then write,
// like Claude Code) and release. On exit print, as JSON, how many increments it made per id.
const fs = require('fs');
const path = require('path');
const lockfile = require('./lockfile');

const LOCK_OPTIONS = {
    retries: { retries: 30, minTimeout: 5, maxTimeout: 100 },
    stale: 10000,
    update: 5000,
};

function parseArgs(argv) {
    const positional = [];
    const options = {};
    for (let i = 0; i < argv.length; i++) {
        if (argv[i].startsWith('--')) {
            options[argv[i].slice(2)] = argv[++i];
        } else {
            positional.push(argv[i]);
        }
    }
    const [listDir, ...ids] = positional;
    if (!listDir || ids.length === 0 || !options.name || !options.seconds) {
        console.error('usage: incrementer.js LISTDIR ID... --name NAME --seconds S');
        process.exit(2);
    }
    return { listDir, ids, name: options.name, seconds: Number(options.seconds) };
}

async function main() {
    const { listDir, ids, name, seconds } = parseArgs(process.argv.slice(2));
    const increments = Object.fromEntries(ids.map((id) => [id, 0]));
    let failures = 0;
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
        const id = ids[Math.floor(Math.random() * ids.length)];
        const file = path.join(listDir, `${id}.json`);
        let release;
        try {
            release = await lockfile.lock(file, LOCK_OPTIONS);
        } catch (err) {
            if (err.code !== 'ELOCKED') {
                throw err;
            }
            failures += 1;
            continue;
        }
        try {
            const obj = JSON.parse(fs.readFileSync(file, 'utf8'));
            obj.metadata = obj.metadata || {};
            obj.metadata.counters = obj.metadata.counters || {};
            obj.metadata.counters[name] = (obj.metadata.counters[name] || 0) + 1;
            fs.writeFileSync(file, JSON.stringify(obj, null, 2));
            increments[id] += 1;
        } finally {
            await release();
        }
    }
    process.stdout.write(`${JSON.stringify({ name, increments, failures })}\n`);
}

main().catch((err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
});
