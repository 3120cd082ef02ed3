"""Field driver: a click group, its help and an error through CliRunner, then a real call."""

import click
from click.testing import CliRunner


@click.group()
@click.version_option("1.0", prog_name="field")
def cli():
    """A field-suite command."""


@cli.command()
@click.option("--count", default=1, type=click.IntRange(1, 5), help="How many times.")
@click.argument("name")
def greet(count, name):
    """Greet NAME."""
    for _ in range(count):
        click.echo(f"Hello, {name}!")


runner = CliRunner()
for args in (["--help"], ["greet", "--help"], ["greet", "--count", "9", "x"], ["--version"]):
    result = runner.invoke(cli, args, prog_name="field")
    print(args, result.exit_code)
    print(result.output)
cli(prog_name="field")
