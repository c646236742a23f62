"""Deployment (cdk) and the embedded local AWS (local)."""
