"""The debtor's hosted pay page behind every message's pay_url: templates, CSS, translations (issue 3)."""
