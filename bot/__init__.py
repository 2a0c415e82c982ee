"""The Slack side of econ071 (Bolt app, listeners, Block Kit), the weekly-summary
scheduler and the ``econ071`` command line. All answers come from ``indicators``."""
