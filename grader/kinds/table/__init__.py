"""The `table` kind: numbers computed by hand, each row checked from the student's previous one."""
