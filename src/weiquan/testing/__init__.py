"""Support for tests, the demo's sample files and the benchmarks — shipped so that anyone with the package can
regenerate them; the product itself never imports it (tests/test_architecture.py)."""
