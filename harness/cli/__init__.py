"""The harness command line."""
