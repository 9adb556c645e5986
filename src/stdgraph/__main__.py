"""``python -m stdgraph`` runs the CLI."""

from .cli import main

main()
