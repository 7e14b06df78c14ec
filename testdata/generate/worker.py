"""A scheduled job logging through structlog's JSON renderer (UTC ISO timestamps); it runs
during the incident and its last batch fails with OperationalError.
Usage: worker.py BATCHES SECONDS_PER_BATCH"""
import sys
import time

import structlog

structlog.configure(
    processors=[
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        structlog.processors.JSONRenderer(),
    ],
    logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
)
log = structlog.get_logger()


class OperationalError(Exception):
    """Raised by the fake database driver."""


def sync_batch(i, batches):
    if i == batches:
        raise OperationalError("server closed the connection unexpectedly")


def run(batches, pause):
    log.info("scheduled job started", job="nightly-sync", batches=batches)
    for i in range(batches):
        sync_batch(i, batches)
        log.info("processing batch", job="nightly-sync", batch=i, duration_ms=12.5 + i)
        time.sleep(pause)
    try:
        sync_batch(batches, batches)
    except OperationalError:
        log.exception("batch failed", job="nightly-sync", batch=batches)
    log.warning("scheduled job finished with errors", job="nightly-sync")


if __name__ == "__main__":
    run(int(sys.argv[1]), float(sys.argv[2]))
