"""The HTTP layer: ``create_app(settings)`` builds a FastAPI app over a store."""

from .app import create_app

__all__ = ["create_app"]
