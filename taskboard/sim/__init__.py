"""The simulated team, the fixture teams and the demo."""
