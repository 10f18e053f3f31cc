"""Small network helpers shared by the test suites and the benchmarks."""
import socket


def free_port() -> int:
    """A TCP port nothing listens on right now (for throwaway test and benchmark servers)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
