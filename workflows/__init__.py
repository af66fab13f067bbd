"""The case workflows: one module per bundle, on the shared case engine."""
