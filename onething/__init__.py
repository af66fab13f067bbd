"""onething: durable Temporal workflows for government "one thing" life-event bundles."""
