"""DynamoDB persistence through PynamoDB: models stay in here, services get domain objects."""
