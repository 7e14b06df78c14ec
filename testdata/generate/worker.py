"""A scheduled job logging through structlog's JSON renderer; one batch fails."""
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


def run(batches):
    log.info("scheduled job started", job="nightly-sync", batches=batches)
    for i in range(batches):
        log.info("processing batch", job="nightly-sync", batch=i, duration_ms=12.5 + i)
        time.sleep(0.2)
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        log.exception("batch failed", job="nightly-sync", batch=batches)
    log.warning("scheduled job finished with errors", job="nightly-sync")


if __name__ == "__main__":
    run(int(sys.argv[1]))
