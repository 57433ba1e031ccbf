"""The command line: rate shopping and every other operation from a terminal."""
