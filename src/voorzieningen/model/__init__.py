"""Optimisation models: data containers, the investment model and classic presets."""
