"""Mahnwerk: serverless dunning and collections."""
