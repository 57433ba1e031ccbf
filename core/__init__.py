"""Domain models, the Carrier contract, errors, units and money, the gateway."""
