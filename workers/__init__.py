"""Worker processes: the orchestrator (workflows) and the department workers (activities)."""
