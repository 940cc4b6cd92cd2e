"""``agentel schema render``: the store's DDL, for one server or a ClickHouse cluster."""

from __future__ import annotations

import click


@click.group("schema")
def schema_group() -> None:
    """The store's DDL (tables, materialized views, typed views)."""


@schema_group.command("render")
@click.option("--database", default="agentel", show_default=True, help="Database the tables go in.")
@click.option("--prefix", default="", help="Table name prefix (as the collector's table settings).")
@click.option("--ttl-days", type=int, default=30, show_default=True, help="Days rows are kept (0: no TTL).")
@click.option(
    "--cluster",
    default=None,
    help="Render for this ClickHouse cluster: Replicated*MergeTree '<table>_local' tables ON CLUSTER, "
    "Distributed tables under the standard names, views over them.",
)
@click.option("--shards", type=int, default=1, show_default=True, help="Shards (the remote_servers example).")
@click.option("--replicas", type=int, default=1, show_default=True, help="Replicas per shard (idem).")
def render_cmd(
    database: str, prefix: str, ttl_days: int, cluster: str | None, shards: int, replicas: int
) -> None:
    """Print the DDL: the single-node script (a server's init SQL), or with --cluster the cluster's."""
    from agentel.store.engine import StoreError
    from agentel.store.schema import SchemaOptions, render_all, render_cluster

    try:
        opts = SchemaOptions(database=database, prefix=prefix, ttl_days=ttl_days)
        text = render_cluster(opts, cluster, shards, replicas) if cluster is not None else render_all(opts)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(text, nl=False)
