"""Importers that turn guidance an organisation already has into articles."""
