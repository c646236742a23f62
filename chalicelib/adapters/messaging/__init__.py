"""Message senders for the debtor's channels: SES email, SMS and voice calls, stored letters, and the local outbox."""
