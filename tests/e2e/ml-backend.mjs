// A FAKE ML BACKEND for the browser tests: Label Studio's ML-backend protocol
// (/health, /setup, /predict) on a free local port. predict(body) answers
// /predict with [status, json].
import { createServer } from 'node:http';

export async function fakeMlBackend(modelVersion, predict) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const json = (status, body) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/health') return json(200, { status: 'UP' });
      if (req.url === '/setup') return json(200, { model_version: modelVersion });
      if (req.url !== '/predict') return json(404, {});
      json(...predict(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
