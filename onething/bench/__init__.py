"""``onething bench``: onething's throughput and latency beside bare Temporal's, on one stack.

:func:`~onething.bench.harness.run_bench` starts a stack of its own, runs the newborn bundle
from Kafka and a bare workflow of the same shape straight on Temporal, and reports both.
"""
