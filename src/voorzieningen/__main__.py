"""``python -m voorzieningen`` runs the command-line interface."""

from voorzieningen.cli import main

main()
