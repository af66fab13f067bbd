"""``python -m onething.cli``."""

from onething.cli import main

main()
