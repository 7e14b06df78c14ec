// Test service behind nginx logging through pino and pino-http (request id from nginx).
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

http
  .createServer((req, res) => {
    httpLogger(req, res);
    if (req.url.startsWith('/api/node/boom')) {
      res.err = new UpstreamError('inventory service unavailable');
      res.statusCode = 500;
      res.end('boom\n');
      return;
    }
    setTimeout(() => res.end('ok\n'), 3);
  })
  .listen(Number(process.argv[2]), '127.0.0.1');
