"""The econ071 command line (click), with one error boundary."""
