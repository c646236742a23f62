"""Payment providers: verifying their webhooks and reading the payments out of them."""
