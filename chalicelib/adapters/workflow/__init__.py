"""Step Functions: starting a claim's execution and resuming its waits."""
