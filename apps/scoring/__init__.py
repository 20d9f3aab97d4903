"""Pure-Python scoring engine (SCORING.md). Filled in by the interviews/scoring issue."""
