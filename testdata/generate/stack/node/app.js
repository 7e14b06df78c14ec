// Express app for testdata/stack/node/: winston (JSON, to a file and to the console) and one
// morgan middleware per preset plus a custom format, each to its own file, all in one app.
//
//   node app.js PORT LOGDIR
//
// GET /healthz                 200
// GET /api/items/<n>           200 after sleeping 10*n ms
// GET /api/slow/<n>            200 after sleeping 300 ms
// GET /api/fail/<n>            PaymentError passed to next(err); our error handler answers 500
// anything else (/api/missing/<n>) falls through to Express's default 404 (finalhandler)
//
// Every request ends with one winston "request finished" record from winston's profiler
// (startTimer/done: durationMs is winston's). A failure is logged by the error handler with
// winston (the Error as meta, so winston writes its stack) and printed with console.error(err).
// On SIGTERM the server, winston and the morgan streams are closed and Node exits on its own,
// once everything is flushed.
'use strict';
const fs = require('fs');
const path = require('path');
const express = require('express');
const morgan = require('morgan');
const winston = require('winston');

const port = Number(process.argv[2]);
const logDir = process.argv[3];

const fileTransport = new winston.transports.File({ filename: path.join(logDir, 'winston.log') });
const logger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
    winston.format.json(),
  ),
  transports: [fileTransport, new winston.transports.Console()],
});

class PaymentError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentError';
    this.code = 'card_declined';
  }
}

function chargeCard(orderId) {
  throw new PaymentError('card declined');
}

const app = express();

// One morgan middleware per preset, each writing to its own file.
const customFormat =
  ':remote-addr - :remote-user [:date[clf]] ":method :url HTTP/:http-version" :status ' +
  ':res[content-length] ":referrer" ":user-agent" :response-time :req[x-request-id]';
const streams = [];
for (const [name, format] of [
  ['combined', 'combined'],
  ['common', 'common'],
  ['dev', 'dev'],
  ['short', 'short'],
  ['tiny', 'tiny'],
  ['custom', customFormat],
]) {
  const stream = fs.createWriteStream(path.join(logDir, `morgan-${name}.log`), { flags: 'a' });
  streams.push(stream);
  app.use(morgan(format, { stream }));
}

// winston's profiler around every request.
app.use((req, res, next) => {
  const t = logger.startTimer();
  res.on('finish', () => {
    t.done({
      message: 'request finished',
      request_id: req.get('x-request-id'),
      method: req.method,
      path: req.originalUrl,
      status: res.statusCode,
    });
  });
  next();
});

app.get('/healthz', (req, res) => {
  res.json({ status: 'ok' });
});

app.get('/api/items/:n', (req, res) => {
  const n = Number(req.params.n);
  setTimeout(() => res.json({ id: n, name: `item ${n}` }), 10 * n);
});

app.get('/api/slow/:n', (req, res) => {
  setTimeout(() => res.json({ id: Number(req.params.n), slow: true }), 300);
});

app.get('/api/fail/:n', (req, res, next) => {
  try {
    chargeCard(Number(req.params.n));
    res.json({ charged: true });
  } catch (err) {
    next(err);
  }
});

// No handler for /api/missing/<n>: Express's default 404 (finalhandler) answers it.

// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  logger.child({ request_id: req.get('x-request-id') }).error('request failed', err);
  console.error(err);
  res.status(500).json({ error: 'internal server error' });
});

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});

process.on('SIGTERM', () => {
  server.close();
  for (const stream of streams) stream.end();
  logger.end();
  // Should something keep the loop alive, do not hang the run.
  setTimeout(() => process.exit(1), 5000).unref();
});
