"""The AWS deployment of one Mahnwerk stage: a CDK app around the Chalice app and the shared resource description."""
