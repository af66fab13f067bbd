"""Activities: one module per department, each calling that department's service."""
