"""Shared tools of the tests (and the benchmarks): plans, strategies, servers, clients, browsers."""
