"""stdgraph: a knowledge graph of smart-factory standards, architectures and roadmaps."""

__version__ = "0.1.0"
