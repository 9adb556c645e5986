"""The analyses before issue 20, the oracle of tests/analysis/test_kept.py."""
