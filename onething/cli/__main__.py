"""``python -m onething.cli``."""

from onething.cli import app

app()
