"""Outbound webhooks: endpoints and deliveries in DynamoDB, attempts through SQS, signed HTTP POSTs."""
