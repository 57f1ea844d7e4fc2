"""The one error type of the `longwing` command line: a user mistake, printed as one line
with exit code 2 (``longwing.cli.main``)."""


class UsageFailure(Exception):
    """A user error: printed as one line, exit code 2."""
