"""Pure business rules: no boto3, no pynamodb, no chalice."""
