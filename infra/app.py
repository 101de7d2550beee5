"""The CDK app: `cdk synth` and `cdk deploy` run `python -m infra.app` (see cdk.json).

The brand's choices come from the context (cdk.json, or `-c vitrine:<key>=<value>`); cdk-nag's
AWS Solutions checks run on every synth and fail it on any finding not acknowledged."""

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks

from infra import REPO_ROOT
from infra.config import CONTEXT_KEYS, ConfigError, VitrineConfig
from infra.stack import STACK_NAME, VitrineStack
from infra.web.construct import WebAppNotBuilt

# The web app's build output (npm --prefix web run build).
DEFAULT_SITE_DIR = REPO_ROOT / "web" / "dist"


def build_app(
    *,
    outdir: str | None = None,
    context: Mapping[str, Any] | None = None,
    site_dir: Path = DEFAULT_SITE_DIR,
) -> App:
    app = App(outdir=outdir, context=dict(context or {}))
    config = VitrineConfig.from_context(
        {key: app.node.try_get_context(key) for key in CONTEXT_KEYS.values()}
    )
    VitrineStack(app, STACK_NAME, config=config, site_dir=site_dir)
    # Acknowledgements and their reasons are recorded in the cloud assembly's metadata
    # ("aws:cdk:acknowledged-rules"), the audit trail of every exception to the checks.
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


def main() -> None:
    try:
        app = build_app()
    except (ConfigError, WebAppNotBuilt) as error:
        sys.exit(f"Vitrine: {error}")
    app.synth()


if __name__ == "__main__":
    main()
