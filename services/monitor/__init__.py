"""Monitor: a durable log of every event's metadata, for traces and the flow view."""
