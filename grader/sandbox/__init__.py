"""Running student code: the bubblewrap sandbox, the probe protocol, and the harness inside."""
