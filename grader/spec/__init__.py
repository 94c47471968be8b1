"""The exercise spec format: pydantic models, the loader, and the instructor's reference modules."""
