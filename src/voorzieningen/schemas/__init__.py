"""Validated configuration models (pydantic) for every stage of a run."""
