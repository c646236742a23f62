"""Use cases: they combine domain rules with the ports the adapters implement."""
