"""``python -m crisisplan``."""

from .cli import main

main()
