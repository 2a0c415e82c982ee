"""The Slack app: Bolt listeners, HTTP and Socket Mode serving, the scheduler, the one WebClient factory."""
