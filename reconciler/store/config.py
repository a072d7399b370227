"""Connection settings, read from the environment. The token is never shown."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from reconciler.core.errors import ConfigError

DEFAULT_API_URL = "https://api.bigcommerce.com"
ENV_HASH = "BIGCOMMERCE_STORE_HASH"
ENV_TOKEN = "BIGCOMMERCE_ACCESS_TOKEN"
ENV_URL = "BIGCOMMERCE_API_URL"


@dataclass(frozen=True)
class StoreConfig:
    api_url: str
    store_hash: str
    token: str = field(repr=False)
    timeout: float = 30.0

    @property
    def base_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/stores/{self.store_hash}"

    def public(self) -> dict[str, str]:
        """What may be written into a plan file or a log: never the token."""
        return {"api_url": self.api_url.rstrip("/"), "store_hash": self.store_hash}

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "StoreConfig":
        env = os.environ if environ is None else environ
        missing = [v for v in (ENV_HASH, ENV_TOKEN) if not env.get(v)]
        if missing:
            raise ConfigError(
                "missing store connection settings: set "
                + " and ".join(missing)
                + f" (and {ENV_URL} for a non-default API URL, e.g. the sandbox's)"
            )
        return cls(
            api_url=env.get(ENV_URL) or DEFAULT_API_URL,
            store_hash=env[ENV_HASH],
            token=env[ENV_TOKEN],
        )
