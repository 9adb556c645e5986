"""``python -m stdgraph`` runs the CLI."""

from stdgraph.cli import main

main()
