"""The `function` kind: a solver whose printed trace is compared with the reference's, by case."""
