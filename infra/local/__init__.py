"""The embedded local AWS: moto in-process, Lambdas dispatched to the app's own functions."""
