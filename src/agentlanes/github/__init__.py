"""Talk to GitHub: endpoints and tokens, the gh and HTTPS transports, rate limits and sync."""
