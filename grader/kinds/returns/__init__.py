"""The `returns` kind: a function whose returned value is compared with the reference's."""
