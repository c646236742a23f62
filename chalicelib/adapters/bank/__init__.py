"""Bank statement files: CAMT.053 and MT940 parsers, and the S3 store merchants upload them to.

The parsers (lxml, and Mahnwerk's own MT940 reader) are imported by `statements` only when a file is read:
every Lambda of the app imports this package, and they would add to each cold start.
"""
