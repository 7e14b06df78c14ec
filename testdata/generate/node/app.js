// Test service behind nginx logging through pino and pino-http: one line per request, its
// id taken from nginx's X-Request-ID header. GET /api/node/boom fails with UpstreamError
// (logged through pino's `err` serializer) and answers 500.
const http = require('http');
const pino = require('pino');
const pinoHttp = require('pino-http');

const logger = pino();
const httpLogger = pinoHttp({
  logger,
  genReqId: (req) => req.headers['x-request-id'],
  customLogLevel: (req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
});

class UpstreamError extends Error {
  constructor(msg) {
    super(msg);
    this.name = 'UpstreamError';
  }
}

function lookupInventory() {
  throw new UpstreamError('inventory service unavailable');
}

const server = http.createServer((req, res) => {
  httpLogger(req, res);
  if (req.url.startsWith('/api/node/boom')) {
    try {
      lookupInventory();
    } catch (e) {
      res.err = e; // pino-http logs it as `err` (type, message, stack) on completion
      res.statusCode = 500;
      res.end('boom\n');
    }
    return;
  }
  setTimeout(() => res.end('ok\n'), 3);
});
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
