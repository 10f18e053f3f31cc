"""The nameko adapters: the only part of tsunagu's backbone that knows nameko and eventlet.
Everything they call (outbox, inbox, unit of work, delivery decisions) is plain Python."""
from .database import Database  # noqa: F401
from .subscriber import subscribe  # noqa: F401
from .rpc import rpc  # noqa: F401
