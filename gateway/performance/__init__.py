"""Service performance: per-day rollups as events happen, figures for a period, open data."""
