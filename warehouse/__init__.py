"""warehouse package of top100 (see docs/CONTRACTS.md)."""
