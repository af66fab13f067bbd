"""The simulated department systems: one FastAPI service and one SQLite database each."""
