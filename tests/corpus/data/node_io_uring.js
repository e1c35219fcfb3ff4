// Node with libuv's io_uring backend (run with UV_USE_IO_URING=1): file
// system calls go through the ring, then an HTTP server and a client in the
// same process exchange a fixed number of requests. Prints one summary line,
// the same on every run.
'use strict';
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const REQUESTS = 50;

async function files(dir) {
  let bytes = 0;
  for (let i = 0; i < 20; i++) {
    const f = path.join(dir, `file${i}.txt`);
    await fs.promises.writeFile(f, `line ${i}\n`.repeat(100));
    const st = await fs.promises.stat(f);
    bytes += st.size;
    bytes -= (await fs.promises.readFile(f)).length;
    await fs.promises.unlink(f);
  }
  fs.statSync(dir);
  return bytes;
}

function get(port, i) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/item/${i}` }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', d => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

(async () => {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sctrace-corpus-node-'));
  const mismatch = await files(dir);
  await fs.promises.rmdir(dir);
  const server = http.createServer((req, res) => res.end(`you asked for ${req.url}\n`));
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i += 10) {
    const bodies = await Promise.all([...Array(10).keys()].map(k => get(port, i + k)));
    for (const b of bodies) bytes += b.length;
  }
  server.close();
  console.log(`files: ${mismatch} bytes differ; http: ${REQUESTS} responses, ${bytes} bytes`);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
