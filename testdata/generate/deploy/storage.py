"""The shop's stand-in storage layer. Its failure is raised a few frames below the route, so
the tracebacks in the logs are real ones whose last line is
`storage.DatabaseError: connection to orders-db lost (server closed the connection)`."""


class DatabaseError(Exception):
    """Raised when the connection to the database is lost mid-query."""


def _execute(sql, params):
    raise DatabaseError("connection to orders-db lost (server closed the connection)")


def _query_one(sql, params):
    return _execute(sql, params)


def load_order(order_id):
    return _query_one("SELECT * FROM orders WHERE id = %s", (order_id,))
