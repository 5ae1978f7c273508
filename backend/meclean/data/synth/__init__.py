"""A synthetic stand-in for the licensed MEGC2019 data, with known label noise."""
