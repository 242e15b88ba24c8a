"""Deployment profiles: several instances behind nginx (see docs/deployment.md)."""
