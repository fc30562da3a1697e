"""Benchmarks: each module has a ``main(argv)`` that prints its figures. Run them with ``./zhiyin bench``."""
