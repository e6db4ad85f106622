'use strict';
// Load proper-lockfile: from NODE_PATH when the test sets it, else from <repo>/.cache/node.
const path = require('path');

function load() {
    try {
        return require('proper-lockfile');
    } catch (err) {
        if (err.code !== 'MODULE_NOT_FOUND') {
            throw err;
        }
        const repo = path.resolve(__dirname, '..', '..', '..');
        return require(path.join(repo, '.cache', 'node', 'node_modules', 'proper-lockfile'));
    }
}

module.exports = load();
