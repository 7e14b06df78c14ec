"""A stand-in storage layer whose failures produce real tracebacks
(last line: `storage.DatabaseError: connection lost`)."""


class DatabaseError(Exception):
    """Raised when the database connection is lost."""


def fetch_order(order_id):
    raise DatabaseError("connection lost")
