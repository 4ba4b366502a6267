"""Production: the base settings; everything else comes from the environment."""

from emitra.settings.base import *  # noqa: F403
