"""The command-line reference (docs/cli.md), generated from each command's --help."""

from __future__ import annotations

import sys

import click

from .cli import cli

COMMAND = "python -m crisisplan.clidocs > docs/cli.md"


def markdown() -> str:
    """Every command's help text, as the terminal shows it, in one Markdown page."""
    lines = [
        "# Command-line reference",
        "",
        f"<!-- Generated from the commands' --help by `{COMMAND}`: do not edit. -->",
        "",
    ]
    # The same context settings as the real command, so the help shows "-h, --help" too.
    group = click.Context(cli, info_name="crisisplan", terminal_width=100, **cli.context_settings)
    lines += ["```", cli.get_help(group).rstrip(), "```", ""]
    for name in cli.list_commands(group):
        command = cli.get_command(group, name)
        assert command is not None
        ctx = click.Context(
            command,
            info_name=name,
            parent=group,
            terminal_width=100,
            **command.context_settings,
        )
        lines += [f"## crisisplan {name}", "", "```", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown())
