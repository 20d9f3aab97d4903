"""Small real HTTP servers standing in for partner APIs in tests (one module per partner)."""
