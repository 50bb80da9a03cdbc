"""Subcommands of the ``guideline`` CLI, one module each (see guideline.cli.COMMANDS)."""
