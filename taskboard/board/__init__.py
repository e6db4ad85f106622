"""The pure domain: the board model, its graph, health, outline and agents. No I/O."""
